"""Certificates as PDF, drawn in-process with fpdf2 (no external binary)."""
import unicodedata

from fpdf import FPDF

from lms.clock import format_date
from lms.learning.models import CourseCompletion


def _latin1(text: str) -> str:
    """The PDF core fonts are Latin-1: keep accents where they exist there, decompose the rest."""
    if all(ord(c) < 256 for c in text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c)) or "?"


def certificate_pdf(completion: CourseCompletion, verify_url: str) -> bytes:
    version = completion.course_version
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Certificate: {version.title}"))
    pdf.set_author("Hidden Harm training partnership")
    pdf.add_page()
    pdf.set_draw_color(11, 12, 12)
    pdf.set_line_width(1.5)
    pdf.rect(12, 12, 273, 186)

    def line(text: str, size: int, style: str = "", gap: float = 4) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, size * 0.5, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(35)
    line("Certificate of completion", 30, "B", 10)
    line("This certifies that", 14)
    line(completion.user.name, 26, "B", 6)
    line("has completed the e-learning course", 14)
    line(version.title, 20, "B", 4)
    line(f"version {version.version}, {version.level}, about {version.minutes} minutes", 12, gap=8)
    line(f"Completed on {format_date(completion.completed_on)} with an assessment score of {completion.score_percent}%", 14, gap=12)
    line(f"Verification code: {completion.certificate_code}", 12, "B", 2)
    line(f"Check it at {verify_url}", 11)
    return bytes(pdf.output())
