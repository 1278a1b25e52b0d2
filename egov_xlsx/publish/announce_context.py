"""The template context of the announcement: the views (:mod:`egov_xlsx.publish.announce_views`,
:mod:`egov_xlsx.publish.announce_results_view`) built from the results, each unit's view once (so ``is`` and ``==`` hold between mentions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from egov_xlsx.model import (
    Criterion,
    CriterionFacts,
    Display,
    Group,
    PreviousStanding,
    Results,
    ScoreGroup,
    Tier,
    TierResult,
    Unit,
    UnitResult,
)
from egov_xlsx.model.rule import Rule, fact_text
from egov_xlsx.publish.announce_results_view import (
    BandView,
    CampaignView,
    DisplayView,
    Move,
    NotApplicable,
    RankGroup,
    ResultsView,
    SourceView,
    SubmissionView,
    TierView,
    UnitGroupView,
)
from egov_xlsx.publish.announce_text import Text, escape_markdown, plain_text
from egov_xlsx.publish.announce_views import CriterionView, FactView, GroupView, PreviousView, ResultView, UnitView
from egov_xlsx.rules.index_scale import criterion_indices, equal_index_notes, index_figure
from egov_xlsx.rules.scoring import band_figures


def _text_tuple(values: Iterable[str], text: Text) -> tuple[str, ...]:
    return tuple(text(v) for v in values)


def _score_map(values: Mapping[str, Decimal], text: Text) -> Mapping[str, Decimal]:
    """A read-only mapping of scores by criterion code (codes through ``text``)."""
    return MappingProxyType({text(k): v for k, v in values.items()})


def _reason_map(values: Mapping[str, str], text: Text) -> Mapping[str, str]:
    return MappingProxyType({text(k): text(v) for k, v in values.items()})


class _Builder:
    """Makes the views of one results, each unit's view once (so ``is`` and ``==`` hold between mentions)."""

    def __init__(self, text: Text, display: Display | None = None) -> None:
        self._convert = text
        self._display = display or Display()
        #: The tier being made (who appraised what is its config), and its notes on equal printed indices (index
        #: campaigns).
        self._tier: Tier | None = None
        self._index_notes: dict[str, str] = {}
        self._converted: dict[str, str] = {}
        self._units: dict[int, UnitView] = {}
        # Keyed by identity; each entry keeps its result alive so that its id is never reused for another.
        self._results: dict[int, tuple[UnitResult, ResultView]] = {}
        #: Rule-based criterion code -> its rule, in the tier being made (codes are unique within a tier only).
        self._rules: dict[str, Rule] = {}

    def text(self, value: str) -> str:
        """``value`` as templates see it (codes and names repeat: each converted once)."""
        done = self._converted.get(value)
        if done is None:
            done = self._converted[value] = self._convert(value)
        return done

    def unit(self, unit: Unit) -> UnitView:
        view = self._units.get(id(unit))
        if view is None:
            t = self.text
            view = UnitView(
                t(unit.code),
                t(unit.name),
                t(unit.contact),
                unit.ranked,
                t(unit.unranked_reason),
                _text_tuple(unit.previous_codes, t),
            )
            self._units[id(unit)] = view
        return view

    def units(self, units: Iterable[Unit]) -> tuple[UnitView, ...]:
        return tuple(self.unit(u) for u in units)

    def previous(self, p: PreviousStanding | None) -> PreviousView | None:
        return None if p is None else PreviousView(p.year, self.text(p.code), p.rank, p.total, p.percent)

    def result(self, r: UnitResult) -> ResultView:
        known = self._results.get(id(r))
        view = None if known is None else known[1]
        if view is None:
            t = self.text
            view = ResultView(
                unit=self.unit(r.unit),
                max=r.max,
                scores=_score_map(r.scores, t),
                total=r.total,
                percent=r.percent,
                rank=r.rank,
                band=None if r.band is None else t(r.band),
                self_scores=_score_map(r.self_scores, t),
                appraised=_score_map(r.appraised, t),
                appraisal_reasons=_reason_map(r.appraisal_reasons, t),
                adjustments=_score_map(r.adjustments, t),
                not_applicable=_text_tuple(sorted(r.not_applicable), t),
                tied_with=_text_tuple(r.tied_with, t),
                tie_note=t(r.tie_note),
                previous=self.previous(r.previous),
                facts=self.facts(r),
                **self.index(r),
                appraised_by=_reason_map(self._appraised_by(r), t),
            )
            self._results[id(r)] = (r, view)
        return view

    def index(self, r: UnitResult) -> dict[str, Any]:
        """The index fields of a unit's view: its index (with its band) always, the rest for an index campaign."""
        tier = self._tier
        if tier is None:
            return {}
        fields: dict[str, Any] = {
            "index": index_figure(tier.bands, r),
            "index_decimals": self._display.index_decimals,
        }
        if self._display.index:
            t = self.text
            fields["criterion_index"] = MappingProxyType({t(k): v for k, v in criterion_indices(tier, r).items()})
            fields["index_note"] = t(self._index_notes.get(r.unit.code, ""))
        return fields

    def _appraised_by(self, r: UnitResult) -> dict[str, str]:
        """Criterion or line code -> the body that set it, for each appraised score and bonus/penalty value."""
        tier = self._tier
        if tier is None or not any(c.appraised_by for c in tier.leaf_criteria):
            return {}
        codes = [*r.appraised, *(code for code, value in r.adjustments.items() if value)]
        return {code: tier.appraiser_of(code) for code in codes if tier.appraiser_of(code)}

    def facts(self, r: UnitResult) -> MappingProxyType[str, FactView]:
        views: dict[str, FactView] = {}
        for code, f in r.facts.items():
            rule = self._rules.get(code)
            shown = "" if rule is None else fact_text(rule, f)
            label = None if f.label is None else self.text(f.label)
            views[self.text(code)] = FactView(label, f.a, f.b, f.percent, self.text(shown))
        return MappingProxyType(views)

    def group(self, g: ScoreGroup | None) -> GroupView | None:
        return None if g is None else GroupView(g.score, self.units(g.units))

    def criterion(
        self, node: Criterion, facts: CriterionFacts, children: tuple[CriterionView, ...], na: tuple[Unit, ...]
    ) -> CriterionView:
        highest = None if facts.count > 0 and len(facts.at_zero) == facts.count else facts.highest
        second = facts.second if facts.second is not None and facts.second.score > 0 else None
        low, high = facts.lowest, facts.highest
        if low is None or low.score == 0 or high is None or low.score == high.score:
            lowest = None
        else:
            lowest = None if facts.second is not None and low.score == facts.second.score else low
        return CriterionView(
            code=self.text(node.code),
            name=self.text(node.name),
            max=node.max,
            capped=node.capped,
            children=children,
            count=facts.count,
            average=facts.average,
            at_max=self.units(facts.at_max),
            zero=self.units(facts.at_zero),
            highest=self.group(highest),
            second=self.group(second),
            lowest=self.group(lowest),
            not_applicable=self.units(na),
        )

    def _criterion_tree(
        self, node: Criterion, result: TierResult, ranked: tuple[UnitResult, ...], views: dict[str, CriterionView]
    ) -> CriterionView:
        """The view of ``node`` and its descendants, each also put in ``views`` by code.

        A method rather than a nested function calling itself: that would be a reference cycle holding the
        builder, and with it every view made, until the cycle collector runs.
        """
        children = tuple(self._criterion_tree(c, result, ranked, views) for c in node.children)
        na = tuple(r.unit for r in ranked if node.code not in r.scores)
        made = self.criterion(node, result.fact(node.code), children, na)
        views[node.code] = views[made.code] = made
        return made

    def tier(self, result: TierResult) -> TierView:
        self._rules = {c.code: c.rule for c in result.tier.leaves() if c.rule is not None}
        self._tier = result.tier
        display = self._display
        self._index_notes = equal_index_notes(result, display.index_decimals) if display.index else {}
        result = _with_band_figures(result)
        ranked = result.ranked
        views: dict[str, CriterionView] = {}
        criteria = tuple(self._criterion_tree(c, result, ranked, views) for c in result.tier.criteria)
        groups: list[RankGroup] = []
        for r in ranked:
            if groups and groups[-1].rank == r.rank:
                groups[-1] = RankGroup(groups[-1].rank, (*groups[-1].results, self.result(r)))
            elif r.rank is not None:
                groups.append(RankGroup(r.rank, (self.result(r),)))
        by_code = {r.unit.code: r for r in ranked}
        bands = tuple(
            BandView(self.text(b.band), tuple(self.result(by_code[u.code]) for u in b.units if u.code in by_code))
            for b in result.bands
        )
        not_applicable = tuple(
            NotApplicable(self.result(r), tuple(views[c.code] for c in _outermost_missing(result.tier, r)))
            for r in result.units
            if r.not_applicable
        )
        council_missing = tuple(
            NotApplicable(
                self.result(r), tuple(views[c.code] for c in _outermost_missing(result.tier, r, council=True))
            )
            for r in result.units
            if r.council_missing
        )
        moves = tuple(
            Move(self.result(r), previous) for r in ranked if (previous := self.previous(r.previous)) is not None
        )
        units = tuple(self.result(r) for r in result.units)
        facts = result.total_facts
        gap = None
        if facts is not None and facts.highest is not None and facts.lowest is not None:
            gap = facts.highest.score - facts.lowest.score
        return TierView(
            id=self.text(result.tier.id),
            name=self.text(result.tier.name),
            max=result.tier.max,
            criteria=criteria,
            units=units,
            ranked=tuple(r for r in units if r.rank is not None),
            unranked=tuple(r for r in units if r.rank is None),
            excluded=tuple((self.unit(u), self.text(reason)) for u, reason in result.excluded),
            rank_groups=tuple(groups),
            bands=bands,
            not_applicable=not_applicable,
            moves=moves,
            gap=gap,
            average=facts.average if facts is not None else None,
            _views=MappingProxyType(views),
            council_missing=council_missing,
            group=None if result.tier.group is None else self.unit_group(result, result.tier.group),
            groups=tuple(self.unit_group(result, g) for g in result.tier.groups),
        )

    def unit_group(self, result: TierResult, group: Group) -> UnitGroupView:
        tier = result.tier
        view = tier if tier.group is not None else tier.views[group.code]
        t = self.text
        return UnitGroupView(
            code=t(group.code),
            name=t(group.name),
            phrase=t(group.phrase),
            max=view.max,
            excluded=tuple((t(c.code), t(c.name)) for c in group.excluded),
            results=tuple(self.result(r) for r in result.units if tier.group_of(r.unit) == group),
        )


def tier_view(result: TierResult, *, markdown: bool = False) -> TierView:
    """Arrange one tier's results for the templates (strings escaped for Markdown when ``markdown``)."""
    return _Builder(escape_markdown if markdown else plain_text).tier(result)


def _with_band_figures(result: TierResult) -> TierResult:
    def banded(r: UnitResult) -> UnitResult:
        total, percent = band_figures(result.tier.bands, r)
        return replace(r, total=total, percent=percent)

    return replace(result, units=tuple(banded(r) for r in result.units))


def _outermost_missing(tier: Tier, result: UnitResult, *, council: bool = False) -> tuple[Criterion, ...]:
    """The criteria without a score for the unit whose parent has one (or which are top-level): those not
    applicable to it, or (``council``) those the council has not scored yet (a draft)."""
    out: list[Criterion] = []
    missing = result.council_missing
    pending = list(reversed(tier.criteria))  # a stack, not a nested function calling itself (a reference cycle)
    while pending:
        node = pending.pop()
        if node.code not in result.scores:
            if council == (bool(missing) and all(x.code in missing for x in node.walk() if x.is_leaf)):
                out.append(node)
            continue
        pending.extend(reversed(node.children))
    return tuple(out)


def template_context(results: Results, *, markdown: bool = False) -> dict[str, object]:
    """The variables every announcement template sees (documented in :mod:`egov_xlsx.publish.announce`).

    Plain data only (see the module docstring); with ``markdown`` every string from the config or the forms
    is escaped for Markdown.
    """
    build = _Builder(escape_markdown if markdown else plain_text, results.campaign.display)
    t = build.text
    campaign = results.campaign
    previous_year = results.previous_year
    if previous_year is None:
        previous_year = next((r.previous.year for tr in results.tiers for r in tr.units if r.previous), None)
    tiers = tuple(build.tier(tr) for tr in results.tiers)
    shown = campaign.display
    display = DisplayView(shown.total_decimals, shown.percent_decimals, shown.scale, shown.index_decimals)
    campaign_view = CampaignView(
        id=t(campaign.id),
        title=t(campaign.title),
        province=t(campaign.province),
        year=campaign.year,
        authority=t(campaign.authority),
        criteria_decision=t(campaign.criteria_decision),
        display=display,
        tiers=tiers,
        subject=t(campaign.subject),
        index_name=t(campaign.index_name),
        measured=t(campaign.measured),
        effort=t(campaign.effort),
        appraisers=MappingProxyType({t(a.code): t(a.name) for a in campaign.appraisers}),
    )
    submissions = tuple(
        SubmissionView(
            t(s.tier_id),
            t(s.unit_code),
            SourceView(t(s.source.name), s.source.size, s.source.sha256, t(s.source.kind)),
            t(s.form_version),
            s.valid,
        )
        for s in results.submissions
    )
    return {
        "campaign": campaign_view,
        "results": ResultsView(tiers, submissions, results.draft, results.previous_year, t(results.tool_version)),
        "display": display,
        "title": campaign_view.title,
        "year": campaign.year,
        "draft": results.draft,
        "previous_year": previous_year,
        "tiers": tiers,
    }
