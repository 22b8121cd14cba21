"""Early warnings (预警) to people contacted by known fraud numbers, and the dissuasion tasks
(劝阻) officers work from them: numbers.py (the known numbers), feed.py (the operator's contact
feed), grading.py with grading.yaml (the grade as data), service.py (warnings, assignment and
the closed loop), router.py (HTTP)."""
