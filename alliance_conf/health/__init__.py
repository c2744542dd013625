"""The health check load balancers and monitors poll (``/healthz``)."""
