# Stock JupyterHub 6.1.1 + DockerSpawner 14 for the benchmarks' baseline:
# defaults everywhere, except what running in compose needs (where the hub
# listens, the network) and a name and label so the benchmark finds and
# removes the learner containers. The hub starts its own
# configurable-http-proxy, as stock JupyterHub does.
import os

c = get_config()  # noqa: F821
project = os.environ["COMPOSE_PROJECT_NAME"]

c.JupyterHub.authenticator_class = "dummy"  # a real login form, any password
c.Authenticator.allow_all = True
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = "hub"
c.JupyterHub.db_url = "sqlite:////tmp/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/tmp/jupyterhub_cookie_secret"

c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = os.environ["BASELINE_IMAGE"]
c.DockerSpawner.network_name = f"{project}_default"
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.remove = True
c.DockerSpawner.name_template = f"{project}-learner-{{username}}"
c.DockerSpawner.extra_create_kwargs = {"labels": {"balaikode.project": project}}
# The burst benchmark creates and starts users through the admin API.
c.Authenticator.admin_users = {"admin"}
# A class started at once takes longer than stock's 30 s on a small server;
# with the default, every server of a returning class of 30 failed. As long
# as Balai Kode's default (BALAIKODE_START_TIMEOUT), so both can finish.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
