#!/usr/bin/env bash
# `make up`: starts kvol on the embedded defaults, then shows it at work with kubectl (a StorageClass for
# the bundled CSI driver, a claim it provisions, and a pod whose volumes the node agent mounts). kvol
# stays in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${KVOL_DATA_DIR:-$HOME/.kvol}"
port="${KVOL_PORT:-6443}"
node bin/kvol.js up --data-dir "$data" --port "$port" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' INT TERM EXIT
kc=(kubectl --kubeconfig "$data/kubeconfig" --cache-dir "$data/kubectl-cache")
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; exit 1; fi
  [ -f "$data/kubeconfig" ] && "${kc[@]}" get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.1
done
echo
echo "+ kubectl apply -f deploy/csi-hostpath/ -f examples/quickstart.yaml"
"${kc[@]}" apply -f deploy/csi-hostpath/ -f examples/quickstart.yaml
echo "+ kubectl wait pod/demo --for=condition=Ready"
"${kc[@]}" wait pod/demo --for=condition=Ready --timeout=60s || true
echo "+ kubectl get csidrivers,csinodes,storageclass,pv,pvc,pods -o wide"
"${kc[@]}" get csidrivers,csinodes,storageclass,pv,pvc,pods -o wide
echo
echo "The pod's volumes, mounted by kvol's node agent:"
find "$data/kubelet/pods" -path '*/volumes/*' -maxdepth 4 2>/dev/null | sed "s|$data/||" || true
echo
echo "kvol keeps running. In another shell: export KUBECONFIG=$data/kubeconfig; kubectl get pv,pvc"
echo "Ctrl-C stops it."
wait "$pid"
