"""The grader service: the only place submissions are written, executed or
collected.

Runs as its own compose service with the Docker socket. Servers call it with
their JupyterHub token; it checks with the hub that the caller teaches the
course (learns in it, for a submission), then runs a throwaway container: the
*sandbox* (no network, no volumes, read-only root, limits) to execute a
notebook, or an *exchange job* (no network, only that course's volumes) to
write a learner's submission or to copy verified submissions for the trainer.
"""
