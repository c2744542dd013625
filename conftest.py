pytest_plugins = ["alliance_conf.testing.fixtures"]
