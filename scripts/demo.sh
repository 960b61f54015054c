#!/usr/bin/env bash
# Posts one order to a running engine (default http://127.0.0.1:5080) and prints its timeline as it grows,
# until the order ends. Start the engine first: dotnet run --project src/Host
# The engine takes bearer tokens only: the demo prints one with the engine's token command (storefront role, acting
# for demo-customer), which signs it with the key the engine created in its data folder (src/Host/data with dotnet run,
# which runs the host in its project directory, the token command too).
# Usage: bash scripts/demo.sh [base-url] [store-id]
#   GROCERY_TOKEN_COMMAND  how to run the token command (default: dotnet run --project <repo>/src/Host --no-build -v q --;
#                          -v q keeps dotnet run's own "Using launch settings" line, dotnet/sdk#45640, off stdout)
set -euo pipefail
base=${1:-http://127.0.0.1:5080}
store=${2:-hcm-01}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v jq >/dev/null || { echo "demo.sh needs jq (apt-get install -y jq)" >&2; exit 1; }

curl -sf "$base/health/ready" >/dev/null || { echo "no engine answers at $base (start it: dotnet run --project src/Host)" >&2; exit 1; }

read -r -a token_command <<<"${GROCERY_TOKEN_COMMAND:-dotnet run --project $root/src/Host --no-build -v q --}"
token=$("${token_command[@]}" token --role storefront --customer demo-customer --name demo --lifetime 00:15:00) \
  || { echo "could not print a token with: ${token_command[*]} token (is the engine built? dotnet run --project src/Host)" >&2; exit 1; }
auth=(-H "Authorization: Bearer $token")
echo "a storefront token acting for demo-customer, valid 15 minutes, from the engine's token command"

# The first bookable slot of the next days, in the store's local dates.
slot=""
for days in 0 1 2 3; do
  date=$(date -d "+$days day" +%F)
  slot=$(curl -sf "${auth[@]}" "$base/api/slots?storeId=$store&date=$date" | jq -r '[.[] | select(.available > 0)][0].slotId // empty')
  [ -n "$slot" ] && break
done
[ -n "$slot" ] || { echo "no bookable slot at $store in the next days" >&2; exit 1; }

# Three products in stock: one weighed (sold per kg) and two by the piece.
weighed=$(curl -sf "${auth[@]}" "$base/api/stores/$store/products?search=per%20kg&limit=100")
pieces=$(curl -sf "${auth[@]}" "$base/api/stores/$store/products?search=milk&limit=100")
lines=$(jq -c -n --argjson w "$weighed" --argjson p "$pieces" \
  '[ ($w.items | map(select(.available > 5 and .unit == "Kilogram")) | .[0] | {sku, quantity: 1.2}),
     ($p.items | map(select(.available > 5 and .unit == "Each")) | .[0:2][] | {sku, quantity: 2}) ]')

body=$(jq -n --arg store "$store" --arg slot "$slot" --argjson lines "$lines" \
  '{customerId: "demo-customer", storeId: $store, slotId: $slot, lines: $lines,
    payment: {provider: "sandbox", token: "tok_success"}, substitutionPreference: "accept",
    delivery: {address: "15 Nguyen Hue, District 1, Ho Chi Minh City", latitude: 10.7743, longitude: 106.7038, phone: "+84901234567"}}')
echo "POST /api/orders"
jq . <<<"$body"
accepted=$(curl -sf "${auth[@]}" -X POST "$base/api/orders" -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(date +%s%N)" -d "$body")
order=$(jq -r .orderId <<<"$accepted")
echo "order $order accepted; its timeline:"

shown=0
for _ in $(seq 1 120); do
  view=$(curl -sf "${auth[@]}" "$base/api/orders/$order" || true)
  if [ -n "$view" ]; then
    count=$(jq '.timeline | length' <<<"$view")
    if [ "$count" -gt "$shown" ]; then
      jq -r ".timeline[$shown:][] | \"  \(.at)  \(.saga | . + \" \" * (21 - length))\(.from) -> \(.to)  (\(.event))\"" <<<"$view"
      shown=$count
    fi
    state=$(jq -r .state <<<"$view")
    case "$state" in
      Completed|Rejected|Cancelled|Refunded)
        echo "order $order: $state"
        jq '{state, endReason, totals, pickedLines: [.pickedLines[] | {sku, name, pickedQuantity, replacesSku}]}' <<<"$view"
        exit 0 ;;
    esac
  fi
  sleep 0.5
done
echo "order $order did not end within 60 s" >&2
exit 1
