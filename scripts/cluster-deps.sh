# Sourced by scripts/test.sh and scripts/bench.sh: makes sure what the cluster tests and the
# cluster benchmark start is installed (PostgreSQL's server binaries, HAProxy, nginx), from
# Debian's packages when it is missing, and puts PostgreSQL's binaries on PATH. The tests
# start their own throwaway PostgreSQL cluster (initdb and pg_ctl on a free port); nothing
# depends on a service that is already running.

cluster_deps() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local missing=()
    # HAProxy and nginx live in /usr/sbin, which is not on every user's PATH.
    case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
    if ! command -v initdb >/dev/null || ! command -v pg_ctl >/dev/null; then
        # Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
        local bin
        bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
        if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then
            export PATH="$bin:$PATH"
        else
            missing+=(postgresql)
        fi
    fi
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    if [ "${#missing[@]}" -gt 0 ]; then
        printf '\n== installing %s (Debian packages)\n' "${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
        if ! command -v initdb >/dev/null; then
            local bin
            bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
            export PATH="$bin:$PATH"
        fi
    fi
    # PostgreSQL refuses to run as root; as root the tests run it as the `postgres` user,
    # which Debian's package creates.
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        $sudo useradd --system --no-create-home postgres
    fi
}
