vcl 4.1;
# The edge cache in front of the API (docker-compose.yml's `edge` service; tested against Debian's
# varnishd by test/integration/edge-cache.test.ts). It caches what GET /videos/:id/… marks public:
# segments, init segments and images for as long as the origin says (a year, immutable: a
# re-encode writes new names) and manifests for their short max-age. Everything else — GraphQL,
# WebSockets, tus uploads, the web app — goes straight to the API.
#
# Never stored: requests carrying a signed `token` (private videos), any response marked private,
# no-store or no-cache (the origin marks private media `private`, errors `no-store`), responses
# setting cookies. Range requests are answered from the whole cached object (the origin is asked
# for the whole file once); concurrent misses for one URL wait for a single origin fetch.
#
# Purge: `BAN /videos/<id>/` on the purge listener (`-a purge=…`, not published) from an address in
# `purgers` drops every cached object of that video at once (src/edge/edge-purger.ts sends it).

import std;

backend api {
    .host = "api";
    .port = "4000";
    # Multipart GraphQL uploads answer after the whole body is stored and probed.
    .first_byte_timeout = 300s;
    .between_bytes_timeout = 60s;
}

# Who may purge: the API and worker containers (both move videos). Narrow this to those hosts in production.
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # One video's prefix, nothing broader: the id is a UUID (also keeps the regex literal).
        if (req.url !~ "^/videos/[0-9a-fA-F-]{36}/$") {
            return (synth(400, "BAN takes /videos/<id>/"));
        }
        if (std.ban("obj.http.x-url ~ ^" + req.url)) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }
    # Metrics are for Prometheus on the internal network, not for the world.
    if (req.url ~ "^/metrics") {
        return (synth(404, "Not found"));
    }
    if (req.http.upgrade ~ "(?i)websocket") {
        return (pipe);
    }
    if (req.url !~ "^/videos/" || (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    # Signed URLs of private videos: straight to the origin, never stored, never served from cache.
    if (req.url ~ "[?&]token=" || req.http.authorization) {
        return (pass);
    }
    # Media responses do not depend on cookies; dropping them keeps browsers' requests cacheable.
    unset req.http.cookie;
    set req.url = std.querysort(req.url);
    return (hash);
}

sub vcl_pipe {
    if (req.http.upgrade) {
        set bereq.http.upgrade = req.http.upgrade;
        set bereq.http.connection = req.http.connection;
    }
}

sub vcl_hit {
    set req.http.x-cache = "HIT";
}

sub vcl_miss {
    set req.http.x-cache = "MISS";
}

sub vcl_pass {
    set req.http.x-cache = "PASS";
}

sub vcl_backend_response {
    # For bans by prefix (evaluated by the ban lurker without a request).
    set beresp.http.x-url = bereq.url;
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.cache-control ~ "(?i)(private|no-store|no-cache)" || beresp.http.set-cookie || beresp.status >= 400) {
        # Remember for a moment that this URL is not cacheable, so waiting requests go to the
        # origin in parallel instead of queueing behind each other; nothing of the body is kept.
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    if (beresp.http.cache-control ~ "immutable") {
        # Serve a stale copy for a day if the origin is down (the object cannot have changed).
        set beresp.grace = 24h;
    } else {
        # Manifests: a new ladder must show up within max-age, not max-age plus a long grace.
        set beresp.grace = 2s;
    }
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-url;
    unset resp.http.via;
    unset resp.http.x-varnish;
    if (req.http.x-cache) {
        set resp.http.X-Cache = req.http.x-cache;
    }
}

sub vcl_synth {
    set resp.http.Cache-Control = "no-store";
}
