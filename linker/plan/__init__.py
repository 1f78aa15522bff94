"""The link step's output: the plan, and (in later modules) how it is computed."""

from linker.plan.model import Binding, FunctionRef, Plan, PlanError, PlannedExtension, PlannedImport

__all__ = ["Binding", "FunctionRef", "Plan", "PlanError", "PlannedExtension", "PlannedImport"]
