# Varnish as the edge cache in front of `syndication serve` (docker-compose.yml, and the local
# walk-through in docs/operations.md). It keeps every answer the app tags (the xkey header)
# until the app purges its tags on a change, serves stale copies only while the app is down
# or failing, and never caches the partner API, the WebSub hub or /metrics. With its switch
# on (x-ai-rules below), it answers AI crawlers 403 wherever the app says their use is reserved.
#
# The backends (the primary, and any replicas) are in backends.vcl beside this file, so one
# file says where the app runs: 127.0.0.1 for the local walk-through, the compose services'
# names in deploy/compose-backends.vcl. Check it with: varnishd -C -f deploy/varnish.vcl
vcl 4.1;

import std;
import xkey;
import directors;
import blob;

include "./backends.vcl";  # backend primary, backend replica, acl purgers

# Who may read /metrics through the edge (the app sees only the edge's address, which it
# trusts): the operator's networks, as the app's own metrics_networks default.
acl insiders {
    "127.0.0.0"/8;
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_init {
    # Pages go to the primary while it is healthy, to the replica when it is not.
    new pages = directors.fallback();
    pages.add_backend(primary);
    pages.add_backend(replica);
}

sub vcl_recv {
    # The switch (docs/rights.md): "on" answers the AI crawlers named below with 403 and the
    # licence's address wherever the app's answer reserves what they gather copy for (its
    # Content-Signal header; for mining, the policy its tdm-policy header names, whose name
    # says each use: what the answer itself states). Feed
    # readers, search engines and people are never refused; nor are robots.txt and sitemaps.
    set req.http.x-ai-rules = "off";
    unset req.http.x-ai-uses;
    unset req.http.x-licence;
    if (req.http.x-ai-rules == "on") {
        call ai_crawler_uses;
    }
    unset req.http.x-ai-rules;
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Say which tags in xkey-purge"));
        }
        # A hard purge: the copies are gone, so grace can never serve one after it.
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    # A request target in absolute form (https://host/metrics, ftp://x/metrics) is routed by
    # the app on its path: judged on it too. Anything else not starting with / is refused.
    set req.url = regsub(req.url, "^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", "");
    if (req.url !~ "^/") {
        return (synth(400, "The request target must be a path"));
    }
    # The rules below judge the path as the app routes it: percent-escapes decoded (the app
    # reads /%6detrics as /metrics). A malformed escape or an encoded NUL has no such reading.
    if (req.url ~ "^[^?]*%(?![0-9A-Fa-f]{2})" || req.url ~ "^[^?]*%00") {
        return (synth(400, "Malformed percent-escape in the path"));
    }
    set req.http.x-path = blob.transcode(decoding=URL, encoding=IDENTITY,
        encoded=regsub(req.url, "[?#].*$", ""));
    if (req.http.x-path ~ "^/metrics" && client.ip !~ insiders) {
        return (synth(403, "Forbidden"));
    }
    # Partners' keys and answers, the hub and the service's figures: the primary's, never kept.
    if (req.http.x-path ~ "^/(api/|websub|metrics)") {
        unset req.http.x-path;
        set req.backend_hint = primary;
        return (pass);
    }
    set req.backend_hint = pages.backend();
    # The editors' desk and previews: behind a login or a signed link, with a cookie; the
    # app marks every answer private, and none is ever kept here.
    if (req.http.x-path ~ "^/(desk|preview/)") {
        unset req.http.x-path;
        return (pass);
    }
    unset req.http.x-path;
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    unset req.http.Cookie;  # the public site sets none; a tracker's must not split the cache
    unset req.http.Authorization;
    # A stale copy only while no backend is healthy (grace); otherwise always a fresh one.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

# What each AI crawler gathers copy for, by its user agent: the list the app's robots.txt names
# (syndication/publish/ai_crawlers.toml, which tests/test_cache_tier.py checks this against).
# A token counts where no letter comes before it ("GPTBot/1.2", "gptbot_1.0", "(GPTBot)").
sub ai_crawler_uses {
    set req.http.x-ai-uses = "";
    if (req.http.User-Agent ~ "(?i)(^|[^a-z])(GPTBot|ClaudeBot|Google-Extended|Applebot-Extended|meta-externalagent|Amazonbot|Bytespider|CCBot|cohere-training-data-crawler|AI2Bot|omgili|PanguBot|Timpibot)") {
        set req.http.x-ai-uses = req.http.x-ai-uses + " ai-train";
    }
    if (req.http.User-Agent ~ "(?i)(^|[^a-z])(OAI-SearchBot|ChatGPT-User|Claude-SearchBot|Claude-User|meta-externalagent|Meta-ExternalFetcher|PerplexityBot|Perplexity-User|Amazonbot|MistralAI-User|DuckAssistBot|Diffbot)") {
        set req.http.x-ai-uses = req.http.x-ai-uses + " ai-input";
    }
    if (req.http.User-Agent ~ "(?i)(^|[^a-z])(CCBot|Diffbot|omgili|Timpibot)") {
        set req.http.x-ai-uses = req.http.x-ai-uses + " tdm";
    }
    if (req.http.x-ai-uses == "") {
        unset req.http.x-ai-uses;
    }
}

sub vcl_backend_response {
    # A tagged answer is purged when it changes: keep it for the lifetime the app gives edges
    # (Surrogate-Control), not the minute browsers get.
    if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, ".*max-age=([0-9]+).*", "\1") + "s", 60s);
    }
    unset beresp.http.Surrogate-Control;
    # An answer the app says no shared cache may keep (a preview, the desk, a health check,
    # an error page) or that sets a cookie is passed on and never stored, whatever its path.
    if (beresp.http.Cache-Control ~ "(?i)(^|[ ,])(no-store|private|no-cache)([ ,=]|$)"
            || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;  # remembered as not to keep: the next asks go to the app
        return (deliver);
    }
    # Kept a day past its time, to answer while the app is down (vcl_recv decides when).
    set beresp.grace = 24h;
    # A failing app never replaces a good copy: the stale one stays and is served.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.status >= 500) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
    }
    return (deliver);
}

sub vcl_deliver {
    # An AI crawler (the switch above) asking for copy whose use for it is reserved. A
    # policy's name is a letter a use, in the order search, ai_training, ai_input, tdm.
    if (req.http.x-ai-uses && (
            (req.http.x-ai-uses ~ "ai-train" && resp.http.Content-Signal ~ "ai-train=no")
            || (req.http.x-ai-uses ~ "ai-input" && resp.http.Content-Signal ~ "ai-input=no")
            || (req.http.x-ai-uses ~ "tdm" && resp.http.tdm-policy ~ "/rights/[ar]{3}r\.json$"))) {
        set req.http.x-licence = regsub(resp.http.Link, {"^.*<([^<>]*)>; rel="license".*$"}, "\1");
        return (synth(403, "Reserved"));
    }
    unset resp.http.xkey;  # the edge's business, not the reader's
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (resp.status == 403 && req.http.x-ai-uses) {
        # The app's licence link (RSL) and its policy, so the crawler knows whom to ask.
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        if (req.http.x-licence && req.http.x-licence !~ "[<>, ]") {
            set resp.http.Link = "<" + req.http.x-licence + {">; rel="license"; type="application/rsl+xml""};
            set resp.body = "This use of this copy is reserved. Its licence: " +
                req.http.x-licence + {"
"};
        } else {
            set resp.body = {"This use of this copy is reserved.
"};
        }
        return (deliver);
    }
}
