#!/usr/bin/env bash
# Checks the deployment folder with what runs without a container runtime or a Kubernetes cluster:
#   1. every YAML file here parses (python3 with PyYAML), and yamllint where installed;
#   2. the compose file: `docker compose config` (or docker-compose, v1) resolves and validates it;
#   3. the compose Prometheus configuration and the repository's rules: promtool check config;
#   4. the Kubernetes manifests: kubectl kustomize renders them (offline), and a structural check (below);
#   5. docker build of the silo image, only when a Docker daemon answers.
# A check whose tool is missing is reported as SKIP; any failure makes the script exit 1.
# Usage: deploy/validate.sh   (from anywhere; not part of test.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=1; }
skip() { echo "SKIP $1"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/grainpool-deploy-validate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mapfile -t yamls < <(find deploy -name '*.yaml' -o -name '*.yml' | sort)

# 1. YAML parse
if python3 -c 'import yaml' 2>/dev/null; then
  if python3 - "${yamls[@]}" <<'PY'
import sys, yaml
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        if not docs:
            raise ValueError("no document")
    except Exception as e:
        print(f"  {path}: {e}")
        bad = 1
sys.exit(bad)
PY
  then pass "yaml parse (${#yamls[@]} files)"; else fail "yaml parse"; fi
else
  skip "yaml parse: python3 has no yaml module (apt-get install -y python3-yaml)"
fi
if command -v yamllint >/dev/null; then
  if yamllint -d '{extends: relaxed, rules: {line-length: {max: 140}}}' "${yamls[@]}"; then pass "yamllint"; else fail "yamllint"; fi
else
  skip "yamllint: not installed (apt-get install -y yamllint)"
fi

# 2. compose
compose=()
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null; then compose=(docker-compose)
fi
if ((${#compose[@]})); then
  if "${compose[@]}" -f deploy/compose/compose.yaml config >"$tmp/compose.out" 2>&1; then
    pass "${compose[*]} config"
  else
    cat "$tmp/compose.out"; fail "${compose[*]} config"
  fi
else
  skip "compose config: neither the docker compose plugin nor docker-compose is installed"
fi

# 3. Prometheus configuration, with the rules where compose mounts them
if command -v promtool >/dev/null; then
  mkdir -p "$tmp/prometheus"
  cp deploy/compose/prometheus/prometheus.yml "$tmp/prometheus/"
  cp -r dashboards/prometheus/rules "$tmp/prometheus/rules"
  if promtool check config "$tmp/prometheus/prometheus.yml"; then pass "promtool check config"; else fail "promtool check config"; fi
else
  skip "promtool: not installed (apt-get install -y prometheus)"
fi

# 4. Kubernetes
if command -v kubectl >/dev/null; then
  if kubectl kustomize deploy/kubernetes >"$tmp/kubernetes.yaml"; then pass "kubectl kustomize"; else fail "kubectl kustomize"; fi
else
  skip "kubectl kustomize: kubectl not installed"
fi
if python3 -c 'import yaml' 2>/dev/null; then
  # What a schema check would not see: selectors that miss their pods, $(VAR) in args with no such env var, probes
  # on ports the container does not name, a Service targeting a port no pod names.
  if python3 - deploy/kubernetes/*.yaml <<'PY'
import re, sys, yaml
bad = []
docs = []
for path in sys.argv[1:]:
    with open(path) as f:
        docs += [(path, d) for d in yaml.safe_load_all(f) if d]
pods = {}
for path, d in docs:
    where = f"{path}: {d.get('kind')}/{(d.get('metadata') or {}).get('name')}"
    if d.get("kind") == "Kustomization":
        continue
    for key in ("apiVersion", "kind", "metadata"):
        if key not in d:
            bad.append(f"{where}: no {key}")
    if not (d.get("metadata") or {}).get("name"):
        bad.append(f"{where}: no metadata.name")
    if d.get("kind") == "Deployment":
        spec = d["spec"]
        labels = spec["template"]["metadata"]["labels"]
        for k, v in spec["selector"]["matchLabels"].items():
            if labels.get(k) != v:
                bad.append(f"{where}: selector {k}={v} does not match the pod template")
        names = set()
        for c in spec["template"]["spec"]["containers"]:
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", []) if "name" in p}
            names |= set(ports)
            env = {e["name"] for e in c.get("env", [])}
            for a in c.get("args", []) + c.get("command", []):
                for var in re.findall(r"\$\((\w+)\)", str(a)):
                    if var not in env:
                        bad.append(f"{where}: args use $({var}), which is not in env")
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = c.get(probe)
                if not p:
                    continue
                port = (p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
                if isinstance(port, str) and port not in ports:
                    bad.append(f"{where}: {probe} uses port '{port}', which the container does not name")
        pods[spec["template"]["metadata"]["labels"].get("app.kubernetes.io/name")] = (labels, names)
for path, d in docs:
    if d.get("kind") in ("Service", "PodDisruptionBudget"):
        where = f"{path}: {d['kind']}/{d['metadata']['name']}"
        sel = d["spec"].get("selector") or {}
        sel = sel.get("matchLabels", sel)
        match = [n for n, (labels, _) in pods.items() if all(labels.get(k) == v for k, v in sel.items())]
        if not match:
            bad.append(f"{where}: selector {sel} matches no Deployment's pods")
        if d["kind"] == "Service":
            for p in d["spec"]["ports"]:
                t = p.get("targetPort")
                if isinstance(t, str) and not any(t in pods[n][1] for n in match):
                    bad.append(f"{where}: targetPort '{t}' is not a named port of its pods")
    if d.get("kind") == "RoleBinding":
        sa = [s["name"] for s in d["subjects"] if s["kind"] == "ServiceAccount"]
        known = [x["metadata"]["name"] for _, x in docs if x.get("kind") == "ServiceAccount"]
        for s in sa:
            if s not in known:
                bad.append(f"{path}: RoleBinding names ServiceAccount {s}, which no manifest defines")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
  then pass "kubernetes structure"; else fail "kubernetes structure"; fi
fi

# 5. image build
if docker info >/dev/null 2>&1; then
  if docker build -f deploy/silo/Dockerfile -t grainpool-silo:validate .; then pass "docker build"; else fail "docker build"; fi
else
  skip "docker build: no Docker daemon answers"
fi

if ((failed)); then echo "deploy/validate.sh: FAILED"; exit 1; fi
echo "deploy/validate.sh: all checks that could run passed"
