"""``python -m eq_negotiator.cli``: the ``eqn`` command without its console script (e.g. from a source checkout)."""

from eq_negotiator.cli import main

main()
