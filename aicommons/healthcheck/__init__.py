"""The live health check (`aicommons check PROFILE --live`).

Pure parts: ``service`` (the hub service and test user the bundle provisions), ``targets`` (which
profiles to start and what the plan expects), ``probe`` (the code run inside a server and the
reading of its answer), ``report`` (pass/fail, the table, JUnit XML, the exit code).
Shell parts: ``hub`` (the hub's REST API), ``kernel`` (code in a server's kernel over its
websocket) and ``run`` (start, check and always stop, one profile after another).
"""
