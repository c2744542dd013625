"""Operations endpoints: the health check load balancers and monitors poll."""
