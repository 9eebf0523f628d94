#!/usr/bin/env bash
# Times `postsale import-orders` on a generated CSV against the demo seller.
#   bench/import_orders.sh [ROWS] [PAID_PERCENT]        (SQLite in a temp dir)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postsale_bench bench/import_orders.sh
# Every row is a one-line order of the demo's open entry; 3 rows are bad on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
paid=${2:-80}
work=$(mktemp -d)
export DATABASE_URL=${DATABASE_URL:-sqlite:///$work/bench.sqlite3}
export PATH="$HOME/.local/bin:$PATH"
if [[ $DATABASE_URL == postgres* ]]; then
    db=${DATABASE_URL##*/}
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
fi
uv run --frozen postsale migrate -v0
uv run --frozen postsale demo >/dev/null
uv run --frozen python - "$work/orders.csv" "$rows" "$paid" <<'PY'
import csv, sys
path, rows, paid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = {1234: {"product": "no-such-product"}, 5000: {"email": "jan.kowalski@"},
       9876: {"quantity": "1000"}}
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["channel", "external_id", "currency", "email",
                                      "first_name", "last_name", "phone", "product",
                                      "quantity", "payment_provider", "payment_transaction_id"])
    w.writeheader()
    for i in range(rows):
        row = {"channel": "web-shop", "external_id": f"BENCH-{i:07d}", "currency": "PLN",
               "email": f"customer{i % 3000}@example.com", "first_name": "Anna",
               "last_name": "Kowalska", "phone": "+48 601 234 567",
               "product": "exhibition-pass", "quantity": "2"}
        if i % 100 < paid:
            row |= {"payment_provider": "manual", "payment_transaction_id": f"B-{i}"}
        w.writerow(row | bad.get(i + 2, {}))
PY
echo "rows=$rows paid=$paid% db=${DATABASE_URL%%:*}"
start=$(date +%s.%N)
uv run --frozen postsale import-orders "$work/orders.csv" --seller demo -v0 > "$work/report.txt" || true
end=$(date +%s.%N)
tail -n 6 "$work/report.txt"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); r=int(sys.argv[3]); print(f'{s:.1f} s, {r/s:.0f} rows/s')" "$start" "$end" "$rows"
rm -rf "$work"
