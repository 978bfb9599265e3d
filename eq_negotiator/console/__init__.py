"""``eqn console``: the collection desk's view of the dialogues, in the browser.

A small server-rendered web application (:func:`~eq_negotiator.console.app.create_app`) over a checkpoint database:
the thread list (waiting threads first), one thread's transcript with its per-turn reasoning and a trajectory chart,
and the answer form of a thread handed to a person, which goes through the Negotiator's locked, guarded
:meth:`~eq_negotiator.graph.session.Negotiator.resume_escalation`. It needs the ``console`` extra (Starlette,
Jinja2, uvicorn, python-multipart).
"""
