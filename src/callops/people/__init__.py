"""People: records, attrition, tenure, survival and early warning (seeds 000, 001, 003, 004).

Pure: given stints and signals, returns numbers; the store and the edges feed it.
"""

from callops.people.attrition import AttritionRow, Grain, GroupBy, attrition, periods
from callops.people.history import build_stints
from callops.people.hr_csv import HistoryRow, history_rows, read_history_csv
from callops.people.records import EARLY_EXIT_DAYS, ExitReason, Position, Spell, Stint
from callops.people.survival import SurvivalBy, SurvivalCurve, SurvivalPoint, survival_curves

__all__ = ["AttritionRow", "Grain", "GroupBy", "attrition", "periods", "build_stints", "HistoryRow", "history_rows",
           "read_history_csv", "EARLY_EXIT_DAYS", "ExitReason", "Position", "Spell", "Stint", "SurvivalBy",
           "SurvivalCurve", "SurvivalPoint", "survival_curves"]
