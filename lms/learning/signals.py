"""What learning announces, so areas above it can act without learning knowing them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the new CourseCompletion, inside the transaction that records it.
course_completed = _signals.signal("course-completed")
