package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// historyChunk is how many debits one seeding transaction writes.
const historyChunk = 5000

// seedHistory writes n debits of debitAmount on the account, evenly from
// an hour after start to an hour before end, after an opening grant. It
// goes straight through the store's Batch, as the committer does: the
// ledger core makes every transaction from the account's locked state,
// and the batch writes them with everything the hot path writes beside
// them, many thousands per transaction so that a million take seconds.
func (e *sizeEnv) seedHistory(ctx context.Context, id string, n int, start, end time.Time) error {
	var ids coffer.IDs
	first, last := start.Add(time.Hour), end.Add(-time.Hour)
	step := last.Sub(first) / time.Duration(max(n, 1))
	env := func(at time.Time) ledger.Env {
		return ledger.Env{Now: at, NewID: func(p string) string { return ids.New(p, at) }}
	}
	write := func(from, to int) error {
		return e.st.Batch(ctx, func(b store.Batch) error {
			states, err := b.LoadStates(ctx, []string{id})
			if err != nil {
				return err
			}
			st := states[id]
			if st == nil {
				return fmt.Errorf("account %s not found", id)
			}
			w := &store.Writes{States: []*ledger.State{st}}
			if from == 0 {
				g, err := st.Grant(env(start.Add(time.Minute)), ledger.Grant{Kind: ledger.Monetary, Amount: openingCredit,
					Category: ledger.Paid, Priority: ledger.DefaultPriority, Application: ledger.Realtime,
					Origin: ledger.OriginGrant, Reason: "bench history opening credit", Actor: "bench"})
				if err != nil {
					return err
				}
				w.Effects = append(w.Effects, g)
			}
			for i := from; i < to; i++ {
				at := first.Add(time.Duration(i) * step).Truncate(time.Microsecond)
				d, err := st.Debit(env(at), ledger.Debit{EventID: "history-" + strconv.Itoa(i), Amount: debitAmount, Actor: "bench"})
				if err != nil {
					return err
				}
				w.Effects = append(w.Effects, d)
			}
			return b.Write(ctx, w)
		})
	}
	for from := 0; from < n; from += historyChunk {
		if err := write(from, min(from+historyChunk, n)); err != nil {
			return fmt.Errorf("seed history: %w", err)
		}
	}
	return nil
}

// memoryMB reads the process's resident set and its peak since the last
// read from /proc/self/status, in MB, and resets the peak (by writing 5
// to /proc/self/clear_refs) so that the next read's peak is its own.
// Where the peak cannot be reset it is the process's peak so far.
func memoryMB() (rss, peak float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for _, k := range []struct {
			name string
			to   *float64
		}{{"VmRSS:", &rss}, {"VmHWM:", &peak}} {
			if rest, ok := strings.CutPrefix(sc.Text(), k.name); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil {
					*k.to = float64(kb) / 1024
				}
			}
		}
	}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return rss, peak
}

// WriteTable prints the result for a reader.
func (r *AccountSizeResult) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "coffer bench --account-size: %s, %d CPUs, %s\n", r.Engine, r.CPUs, r.GoVersion)
	fmt.Fprintf(w, "database:     %s\n", r.Database)
	fmt.Fprintf(w, "debits:       single HTTP debits from %d clients, one account at a time\n\n", r.Clients)
	fmt.Fprintf(w, "%-22s %9s %10s %8s %9s %9s %9s %9s %11s %8s %9s\n", "account", "debits", "debits/s", "vs fresh",
		"p50", "p99", "grant p50", "hold p50", "balance p50", "RSS MB", "peak MB")
	for _, d := range r.Debits {
		name := "fresh (1 lot)"
		if d.What != "fresh" {
			name = fmt.Sprintf("%s live %s", group(int64(d.Size)), d.What)
			if d.What == "holds" {
				name = fmt.Sprintf("%s open holds", group(int64(d.Size)))
			}
		}
		fmt.Fprintf(w, "%-22s %9s %10.0f %7.2fx %9s %9s %9s %9s %11s %8.0f %9.0f\n", name, group(d.Debits), d.PerSecond, d.VsFresh,
			fmtMs(d.P50ms), fmtMs(d.P99ms), fmtMs(d.GrantP50), fmtMs(d.HoldP50), fmtMs(d.BalanceP50), d.RSSMB, d.HWMMB)
	}
	fmt.Fprintf(w, "\n%-12s %19s %19s %19s %19s %19s %19s %8s %9s\n", "history", "?at= p50 / max", "now p50 / max",
		"recommend p50 / max", "runway p50 / max", "30d series p50/max", "liab at p50 / max", "RSS MB", "peak MB")
	for _, x := range r.Reads {
		pair := func(a, b float64) string { return fmtMs(a) + " / " + fmtMs(b) }
		fmt.Fprintf(w, "%-12s %19s %19s %19s %19s %19s %19s %8.0f %9.0f\n", group(int64(x.Txns))+" txns", pair(x.AtP50, x.AtMax),
			pair(x.NowP50, x.NowMax), pair(x.AlertsP50, x.AlertsMax), pair(x.RunwayP50, x.RunwayMax),
			pair(x.SeriesP50, x.SeriesMax), pair(x.LiabP50, x.LiabMax), x.RSSMB, x.HWMMB)
	}
	fmt.Fprintln(w)
	for _, s := range r.Seeding {
		fmt.Fprintf(w, "made %s %s in %.1fs\n", group(int64(s.Size)), s.What, s.Seconds)
	}
	if r.CheckOK {
		fmt.Fprintln(w, "check:        ok, all ledger invariants hold")
	} else {
		fmt.Fprintf(w, "check:        FAILED, %d violations: %s\n", len(r.Problems), strings.Join(r.Problems, "; "))
	}
}
