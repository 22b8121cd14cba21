"""Power analysis of a case (检出效能): is its family informative enough?

For each consented, profiled donor of the case the engine simulates the LR of a true relative
(conditioned on the donor's own genotypes) and of unrelated people on the chosen panel, at the
strong threshold. The true relative is the person the case looks for: on a family case the
lost child (the adoptee, `self`); on an adoptee case a full sibling of the adoptee, the match
most searches end in. The advice is the engine's code put into words with the numbers of the
most informative donor (Chinese first, English).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.errors import Conflict, NotFound, ValidationFailed
from pingan.i18n import msg, text
from pingan.kinship import match_data
from pingan.kinship.frequencies import FrequencyTable, load_table
from pingan.kinship.models import KinshipCase
from pingan.kinship.power import GLOBALFILER, power
from pingan.kinship.relations import between
from pingan.kinship.settings import load_thresholds
from pingan.pii.vault import Vault

PANELS = ("globalfiler", "expanded")
SOUGHT = {"family": "self", "adoptee": "full_sibling"}  # the sought relative, to the subject
SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def panel_loci(panel: str, table: FrequencyTable) -> list[str]:
    """The autosomal loci of a panel that the frequency table holds."""
    if panel not in PANELS:
        raise ValidationFailed(
            msg("kinship.match.bad_panel", panel=panel[:20], choices=", ".join(PANELS)),
            code="bad_panel",
        )
    chosen = table.loci if panel == "expanded" else GLOBALFILER
    return [locus for locus in chosen if locus in table.alleles]


def power_of_ten(log10: float) -> str:
    """10⁴ for 4.0, 10³·⁵ for 3.5."""
    exponent = f"{log10:g}"
    return "10" + exponent.translate(SUPERSCRIPT)


def _rate(value: float) -> str:
    pct = 100 * value
    return f"{pct:.0f}" if pct >= 10 or pct == 0 else f"{pct:.1g}"


def advice_text(code: str, relatives: list[dict[str, Any]], threshold_log10: float,
                lang: str) -> str:  # fmt: skip
    """The advice in one language, every number taken from the results."""
    best = max(relatives, key=lambda r: r["detection_rate"])
    if len(relatives) == 1:
        word = text(f"kinship.match.donor.{best['donor_relation']}", lang)
        who = text("kinship.match.who.one", lang, relation=word)
    else:
        who = text("kinship.match.who.many", lang, n=len(relatives))
    return text(
        f"kinship.match.advice.{code}", lang, who=who, loci=best["loci"],
        power=power_of_ten(threshold_log10), rate=_rate(best["detection_rate"]),
    )  # fmt: skip


def analyse(
    session: Session, actor: Actor, vault: Vault, case_id: int, *, panel: str = "globalfiler",
    n: int = 1000, seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    require(actor, "kinship.search")
    case = session.get(KinshipCase, case_id)
    if case is None:
        raise NotFound(msg("kinship.match.no_case", id=case_id), code="case_not_found")
    table = load_table()
    loci = panel_loci(panel, table)
    thresholds = load_thresholds()
    relatives: list[dict[str, Any]] = []
    results = []
    for profile, person, _ in match_data.searchable(session, case_id=case.id):
        relation = between(person.relation, SOUGHT[case.side])
        if relation == "unrelated":
            continue
        result = power(
            relation, loci, table, n=n, threshold_log10=thresholds.strong_log10, seed=seed,
            reference=match_data.genotypes(vault, profile), theta=thresholds.theta,
        )  # fmt: skip
        results.append(result)
        relatives.append({
            "sample_id": person.sample_id, "relation": relation,
            "donor_relation": person.relation, "loci": result.loci,
            "detection_rate": result.detection_rate,
            "false_positive_rate": result.false_positive_rate,
            "median_log10_true": result.median_log10_true,
        })  # fmt: skip
    if not relatives:
        raise Conflict(msg("kinship.match.no_relatives", case_no=case.case_no), code="no_relatives")
    best = max(range(len(results)), key=lambda i: results[i].detection_rate)
    code = results[best].advice
    both = {lang: advice_text(code, relatives, thresholds.strong_log10, lang)
            for lang in ("zh_CN", "en")}  # fmt: skip
    return {
        "threshold_log10": thresholds.strong_log10,
        "panel": panel,
        "relatives": relatives,
        "advice": {"code": code, "text": f"{both['zh_CN']}\n{both['en']}"},
    }
