# Where the app runs, for deploy/varnish.vcl: the local walk-through of docs/operations.md
# (the primary on 127.0.0.1:8080, a replica on 127.0.0.1:8081). docker-compose.yml mounts
# deploy/compose-backends.vcl in its place.
probe ready {
    .url = "/readyz";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend primary {
    .host = "127.0.0.1";
    .port = "8080";
    .probe = ready;
}

backend replica {
    .host = "127.0.0.1";
    .port = "8081";
    .probe = ready;
}

# Who may purge: the primary's addresses.
acl purgers {
    "127.0.0.1";
    "::1";
}
