"""Certificates as tagged PDF, drawn in-process with fpdf2 (no external binary).

Tagged means a screen reader reads the certificate as a heading and paragraphs in order, in
British English, under its title; the border is marked as decoration. fpdf2 has no public API
for tagging text yet (py-pdf/fpdf2#355), so `_tagged` uses the same internals fpdf2 uses to
tag images and outline headings; the certificate tests check the structure is there.
"""
import unicodedata
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

from fpdf import FPDF
from fpdf.prefs import ViewerPreferences

from lms.clock import format_date
from lms.learning.models import CourseCompletion


class CertifiedRequirement(NamedTuple):
    title: str
    valid_until: date


def _latin1(text: str) -> str:
    """The PDF core fonts are Latin-1: keep accents where they exist there, decompose the rest."""
    if all(ord(c) < 256 for c in text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c)) or "?"


@contextmanager
def _tagged(pdf: FPDF, tag: str):
    """Draw inside a marked-content sequence tied to a new structure element (P, H1…), in reading order."""
    mcid = pdf.struct_builder.next_mcid_for_page(pdf.page)
    pdf._add_marked_content(struct_type=f"/{tag}", mcid=mcid)
    pdf._out(f"/{tag} <</MCID {mcid}>> BDC")
    yield
    pdf._out("EMC")


@contextmanager
def _decoration(pdf: FPDF):
    """Drawn for the eye only: assistive technology skips it."""
    pdf._out("/Artifact BMC")
    yield
    pdf._out("EMC")


def certificate_pdf(completion: CourseCompletion, verify_url: str, partnership: str,
                    requirements: list[CertifiedRequirement]) -> bytes:
    """One A4 landscape page: who, what, when, the requirements it meets, and how to check it."""
    version = completion.course_version
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Certificate: {version.title}, {completion.user.name}"))
    pdf.set_author(_latin1(partnership))
    pdf.set_lang("en-GB")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    with _decoration(pdf):
        pdf.set_draw_color(11, 12, 12)
        pdf.set_line_width(1.5)
        pdf.rect(12, 12, 273, 186)

    def line(text: str, size: int, style: str = "", gap: float = 4, tag: str = "P", link: str | None = None) -> None:
        pdf.set_font("Helvetica", style, size)
        with _tagged(pdf, tag):
            pdf.multi_cell(0, size * 0.5, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT", link=link)
        pdf.ln(gap)

    pdf.set_y(30)
    line(partnership, 14, gap=4)
    line("Certificate of completion", 28, "B", 8, tag="H1")
    line("This certifies that", 13, gap=2)
    line(completion.user.name, 24, "B", 4)
    line("has completed the e-learning course", 13, gap=2)
    line(version.title, 19, "B", 2)
    line(f"version {version.version}, {version.level}, about {version.minutes} minutes", 11, gap=4)
    line(f"Completed on {format_date(completion.completed_on)} with an assessment score of {completion.score_percent}%", 13, gap=6)
    if requirements:
        line("It meets the training requirement" + ("s" if len(requirements) > 1 else "") + ":", 12, gap=1)
        for requirement in requirements:
            line(f"{requirement.title}, valid until {format_date(requirement.valid_until)}", 12, "B", 1)
        pdf.ln(5)
    line(f"Verification code: {completion.certificate_code}", 12, "B", 1)
    line(f"Check it at {verify_url}", 11, gap=0, link=verify_url)
    return bytes(pdf.output())
