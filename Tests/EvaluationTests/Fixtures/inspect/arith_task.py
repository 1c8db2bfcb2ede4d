"""Two tiny inspect_ai tasks used by the Evaluation tests.

`arith` is a normal task (generate, then `match`); `broken` has a solver that raises, so inspect writes a log
with `status: "error"` while `inspect eval` still exits 0.
"""
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import match
from inspect_ai.solver import Generate, TaskState, generate, solver

SAMPLES = [
    Sample(id="a1", input="What is 1+1? Answer with a number.", target="2"),
    Sample(id="a2", input="What is 2+3? Answer with a number.", target="5"),
    Sample(id=3, input="What is 4-1? Answer with a number.", target="3"),
]


@task
def arith():
    return Task(dataset=SAMPLES, solver=[generate()], scorer=match())


@solver
def explode():
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        raise RuntimeError("solver failed on purpose (test fixture)")

    return solve


@task
def broken():
    return Task(dataset=SAMPLES, solver=[explode()], scorer=match())
