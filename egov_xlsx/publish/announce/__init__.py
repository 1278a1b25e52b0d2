"""The announcement (thông báo kết quả): Jinja templates rendered to plain text and Markdown.

Modules: ``problem`` (the error), ``limits`` (what a rendering may cost), ``files`` (where templates are),
``filters`` (the Vietnamese filters), ``sandbox`` (the bounded environment, compiled templates), ``render``.

The wording lives in the templates (``templates/thong-bao.txt.j2``, ``thong-bao.md.j2`` and the paragraphs they
share, ``thong-bao-macros.j2``); this package only picks the facts. A campaign rephrases any of them by putting a
file of the same name in its own ``templates/`` folder.

Layout of the output, whatever the template's line breaks: a paragraph may be written over several template
lines and ends at a blank line; its lines are joined with single spaces, runs of spaces collapse and no space is
left before ``, . ; : ! ? )`` or after ``(``. Plain text has one paragraph per line and no blank lines (it pastes
into Word paragraph by paragraph); Markdown separates blocks with one blank line, keeps a block whose lines all
start with ``|`` as a table and a line starting with ``#`` as a heading. The text is NFC, without trailing spaces.

Filters (every figure goes through :mod:`egov_xlsx.vietnamese`, so it reads the same in every output):

``so``
    a number, trailing zeros dropped: ``85,5``, ``95``, ``1.000``; ``x|so(2)`` keeps two decimals.
``tong``
    a total rounded half up to ``display.total_decimals`` decimals: ``417,30``.
``phantram``
    a percent (0-100) truncated to ``display.percent_decimals`` decimals: ``92%`` for 92,7.
``chiso``
    an index (0-1) rounded half up to ``display.index_decimals`` decimals: ``0,6975`` (``r.index|chiso``).

A unit's ``total`` and ``percent`` (``r.total``, ``r.percent``) carry its band, and whichever filter prints
them keeps them inside it: one more decimal where the usual figure would sit on a threshold the unit did not
reach (``424,995`` rather than ``425,00``; see :func:`egov_xlsx.vietnamese.shown_figure`).
``ds``
    a list joined the Vietnamese way: ``A, B và C``; ``ds("hoặc")`` changes the last word.
``ten``
    units (or unit results) to their names: ``units|ten|ds``.
``bac``
    a rank change in words (positive = moved up): ``tăng 3 bậc``, ``giảm 1 bậc``, ``giữ nguyên``.
``thuong``
    lowercase the first letter (``Sở, ban, ngành`` -> ``sở, ban, ngành``) except for an acronym or a name
    starting with ``Ủy ban``, written with a capital in administrative texts.

A bare ``{{ decimal }}`` prints like ``so``; printing ``None`` is an error. In Markdown every string that comes
from the config or the forms (names, titles, reasons, notes) is escaped where the template context is made
(:func:`egov_xlsx.publish.announce_text.escape_markdown`): a unit's name prints as text, never as a link, HTML, emphasis
or a table cell break; the plain text keeps it as it is. The ``do`` statement is enabled
(``{% do items.append(...) %}``), and ``markdown`` tells a shared template which output it is writing.

Templates are untrusted (a campaign may copy one from another province): they see plain data only
(:mod:`egov_xlsx.publish.announce_views`), run in Jinja's sandbox bounded in time and size (:class:`RenderLimits`),
and a template file that is a symbolic link is refused. Any problem is a :class:`TemplateProblem`, a
configuration error (exit 3) naming the template file and line.

Template variables:

``campaign``, ``results``, ``display``, ``title``, ``year``, ``draft``, ``previous_year``
    the campaign (``CampaignView``: ``id``, ``title``, ``province``, ``year``, ``authority``,
    ``criteria_decision``, ``subject``, ``index_name``, ``measured``, ``effort``, ``display``, ``tiers``), the results (``ResultsView``: ``tiers``, ``submissions``
    with each file's ``name``, ``size`` and ``sha256``, ``draft``, ``previous_year``, ``tool_version``),
    ``campaign.display``, ``campaign.title``, ``campaign.year``, ``results.draft`` and the year compared with
    (or ``None``).
``tiers``
    one ``TierView`` per tier (:mod:`egov_xlsx.publish.announce_results_view`): ``name``, ``max``, ``criteria`` (top-level ``CriterionView`` s),
    ``criterion(code)``, ``ranked``, ``unranked``, ``excluded`` (``(unit, reason)`` pairs), ``bands``
    (``BandView``), ``leaders``, ``runners_up``, ``lowest`` (``RankGroup``), ``gap``, ``average``,
    ``average_percent``, ``average_index``, ``same_max``, ``not_applicable`` (``NotApplicable``), ``tie_notes``,
    ``index_notes``, and year over
    year ``moved_up``, ``moved_down``, ``unchanged``, ``previously_unranked`` (``Move``), ``new_units``.
    A unit result (``ResultView``) has ``unit`` (``code``, ``name``, ``unranked_reason`` ...), ``total``,
    ``max``, ``percent``, ``rank``, ``band``, ``shares_rank``, ``tie_note``, ``previous``, read-only
    ``scores`` by criterion code, its ``index`` (total / own maximum, keeping to its band like ``total``) and
    ``index_text`` ("0,6975"); with ``display.scale == "index"`` also ``criterion_index`` (each criterion's
    points / its maximum, by code) and ``index_note`` (the sentence on units whose printed index is equal but
    exact index differs, on the first of them).
"""

from __future__ import annotations

from egov_xlsx.publish.announce.files import shipped_templates_dir, template_dirs
from egov_xlsx.publish.announce.limits import RenderLimits, TemplateLimit
from egov_xlsx.publish.announce.problem import TEMPLATE_NAMES, TemplateProblem
from egov_xlsx.publish.announce.render import lay_out, render_announcement
from egov_xlsx.publish.announce.sandbox import make_environment

__all__ = [
    "TEMPLATE_NAMES",
    "RenderLimits",
    "TemplateLimit",
    "TemplateProblem",
    "lay_out",
    "make_environment",
    "render_announcement",
    "shipped_templates_dir",
    "template_dirs",
]
