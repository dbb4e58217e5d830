"""The firewall service: keeps learner containers away from the host's own
services with one iptables DROP rule per learner bridge (rules.py decides,
__main__.py follows Docker and applies)."""
