"""The grader service: the only place submissions are executed or collected.

Runs as its own compose service with the Docker socket. Trainers' servers call
it with their JupyterHub token; it checks with the hub that the caller teaches
the course, then runs a throwaway container: the *sandbox* (no network, no
volumes, read-only root, limits) to execute a notebook, or the *collector*
(no network, only that course's volumes) to copy verified submissions.
"""
