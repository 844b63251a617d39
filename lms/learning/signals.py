"""What learning announces, so areas above it can act without learning knowing them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the new CourseCompletion, inside the transaction that records it.
course_completed = _signals.signal("course-completed")

# Sent with a course's slug when a page names what the course counts towards; receivers answer with titles.
counts_towards = _signals.signal("counts-towards")
