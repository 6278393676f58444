"""The matching engine: eligibility, scoring and stable matching of volunteers to needs.

Pure Python and numpy, no Django: the Django side loads volunteers and needs into the plain dataclasses
below, asks for scores or top-K suggestions, builds preference lists from them and calls `stable_match`.

Two halves:

* `stable_match` — volunteer-proposing deferred acceptance with capacities (Gale–Shapley, as in
  Roth–Peranson without couples). It returns the volunteer-optimal stable matching, which is unique, so
  the result never depends on the order of the input dictionaries. `blocking_pairs` and
  `validate_matching` check a matching independently.
* `score_matrix` / `score_top_k` — hard constraints (eligibility) and a soft score in [0, 100] for every
  volunteer × need pair, vectorised with numpy over profession blocks and volunteer chunks so memory
  stays bounded. `explain` is the per-pair, plain-Python version that says why: the points each factor
  gave, or the first requirement that failed.

Eligibility rules, in the order used for "the first failed requirement":

1. consent — the volunteer agreed to be shown to coordinators;
2. profession — the volunteer's profession equals the need's;
3. mode — on-site and hybrid needs need a volunteer who offers on-site work (a hybrid need always has
   an on-site part, so on-site is the binding condition); remote needs need one who offers remote work;
4. availability — the longest run of consecutive days inside the need's window on which the volunteer
   is available must be at least `min_duration_days` (days counted inclusively). On-site and hybrid:
   available means inside one of the volunteer's availability windows (adjacent or overlapping windows
   join up) and not inside an accepted on-site placement (`busy`). Remote: inside a window offering at
   least the need's hours per week; busy on-site placements are ignored for remote work;
5. languages — every required language spoken at working proficiency (2) or better;
6. experience — at least the need's minimum years;
7. credential — when the need requires one, a verified credential valid at least until the end of the
   earliest possible placement: `credential_valid_until >= window_start + min_duration_days - 1`.

Soft factors (each a value in [0, 1], times its weight; weights are rescaled so they total 100):
required-skill coverage and preferred-skill coverage (full marks when the need lists none), language
proficiency (mean over required languages of (proficiency - 1) / 3, full marks when none required),
experience beyond the minimum (linear, saturating after `EXPERIENCE_SATURATION_YEARS`), preferred region
(1 when the need's region is one the volunteer prefers, 0.5 when the need has no region or the
volunteer states no preference, 0 otherwise), availability fit (the longest available run divided by
the length of the need's window, at most 1) and prior engagement with the need's organisation (1 or 0).
Ineligible pairs score 0.

Modules: `matching` (stable matching and its checks), `records` (the input records, weights, reasons),
`reference` (`explain`, the per-pair plain-Python reference), `prepared` (records as numpy arrays and
the one function that turns a pair into factor points; a score is their sum) and `scoring`
(`score_matrix`, `score_top_k`, `score_top_pairs`, `pair_factor_points`).
"""

from .matching import blocking_pairs, stable_match, validate_matching
from .records import (
    EXPERIENCE_SATURATION_YEARS,
    FACTOR_LABELS,
    FACTORS,
    REASON_CODES,
    REASON_MESSAGES,
    Explanation,
    FactorContribution,
    NeedData,
    Reason,
    VolunteerData,
    Weights,
)
from .reference import explain
from .scoring import (
    ScoreResult,
    TopK,
    TopPairs,
    pair_factor_points,
    score_matrix,
    score_top_k,
    score_top_pairs,
    top_k_for_needs,
    top_k_for_volunteers,
)

__all__ = [
    "EXPERIENCE_SATURATION_YEARS",
    "FACTOR_LABELS",
    "FACTORS",
    "REASON_CODES",
    "REASON_MESSAGES",
    "Explanation",
    "FactorContribution",
    "NeedData",
    "Reason",
    "ScoreResult",
    "TopK",
    "TopPairs",
    "VolunteerData",
    "Weights",
    "blocking_pairs",
    "explain",
    "pair_factor_points",
    "score_matrix",
    "score_top_k",
    "score_top_pairs",
    "stable_match",
    "top_k_for_needs",
    "top_k_for_volunteers",
    "validate_matching",
]
