"""Balai Kode's nbgrader glue, installed in every learner image.

- sandbox_client: trainers' autograde executes notebooks through the grader
  service (a throwaway, network-less container), never in their own server.
- run_notebook: what runs inside that sandbox.
- collect: trainers' "collect" asks the grader service, which verifies who
  really wrote each submission before copying it into the course.
- inbound: what the grader service runs (as root, no network) to collect.
- submit: learners' "submit" sends the files to the grader service (learners
  cannot write the exchange); deposit is what the service runs to write them,
  within each learner's share, and what `./balaikode submissions` runs.
- feedback: keeps hidden tests out of released feedback.
"""

GRADER_URL_ENV = "BALAIKODE_GRADER_URL"
