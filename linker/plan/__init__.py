"""The link step's output, the plan, and how it is computed (`link`)."""

from linker.plan.link import analyze, link, plan_extensions
from linker.plan.model import Binding, FunctionRef, Plan, PlanError, PlannedExtension, PlannedImport

__all__ = [
    "Binding",
    "FunctionRef",
    "Plan",
    "PlanError",
    "PlannedExtension",
    "PlannedImport",
    "analyze",
    "link",
    "plan_extensions",
]
