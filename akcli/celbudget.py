"""A cost and time budget for evaluating one CEL filter.

celpy has no cost limit, and five nested `.map()` calls over small lists keep
it busy for tens of seconds. `BudgetRunner` evaluates with an evaluator that
counts every node it visits (macro bodies included) and checks a deadline;
once either is spent, every further step fails at once, so the evaluation
unwinds quickly and reports `BUDGET_ERROR`.

`macro_depth` is the static side: filters whose comprehension macros nest
deeper than `MAX_MACRO_DEPTH` are refused when they are compiled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

MAX_STEPS = 200_000
MAX_SECONDS = 1.0
MAX_MACRO_DEPTH = 3
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
BUDGET_ERROR = "filter exceeded its evaluation budget"


class BudgetExceeded(Exception):
    """Raised inside the evaluation when the budget is spent."""


@dataclass
class Budget:
    steps: int = MAX_STEPS
    seconds: float = MAX_SECONDS
    deadline: float = field(default=0.0)
    spent: bool = False

    def start(self) -> Budget:
        self.deadline = time.monotonic() + self.seconds
        return self

    def step(self) -> None:
        self.steps -= 1
        if (
            self.spent
            or self.steps < 0
            or (self.steps % 512 == 0 and time.monotonic() > self.deadline)
        ):
            self.spent = True
            raise BudgetExceeded(BUDGET_ERROR)


def macro_depth(ast: Any) -> int:
    """How deeply comprehension macros (`map`, `all`, ...) nest in a parse tree."""
    import lark

    deepest = 0
    stack: list[tuple[Any, int]] = [(ast, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, lark.Tree):
            continue
        kids = node.children
        if node.data == "member_dot_arg" and len(kids) > 1 and str(kids[1]) in MACROS:
            depth += 1
            deepest = max(deepest, depth)
        stack.extend((child, depth) for child in node.children)
    return deepest


def budget_runner(env: Any, ast: Any, functions: dict[str, Any]) -> Any:
    """A celpy runner whose `evaluate(activation, budget)` respects a budget."""
    import celpy
    from celpy.evaluation import Evaluator

    class BudgetEvaluator(Evaluator):
        budget: Budget

        def sub_evaluator(self, ast: Any) -> Evaluator:
            sub = BudgetEvaluator(ast, activation=self.activation)
            sub.budget = self.budget
            return sub

        def _visit_tree(self, tree: Any) -> Any:
            self.budget.step()
            return super()._visit_tree(tree)

    class BudgetRunner(celpy.InterpretedRunner):
        def evaluate(self, context: Any, budget: Budget | None = None) -> Any:
            e = BudgetEvaluator(ast=self.ast, activation=self.new_activation())
            e.budget = (budget or Budget()).start()
            return e.evaluate(context)

    return BudgetRunner(env, ast, functions)
