# Where the app runs in docker-compose.yml, mounted as backends.vcl beside deploy/varnish.vcl:
# the compose services `app` (the primary) and `replica`, looked up when Varnish loads the VCL.
probe ready {
    .url = "/readyz";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend primary {
    .host = "app";
    .port = "8080";
    .probe = ready;
}

backend replica {
    .host = "replica";
    .port = "8080";
    .probe = ready;
}

# Who may purge: the primary (its address on the compose network, looked up at load).
acl purgers {
    "app";
}
