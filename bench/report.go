package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Ratio is one of the targets, computed from results of the same
// run. Status is PASS or MISS, or "info" where the target does not apply
// (the naive-baseline targets are set for PostgreSQL) or the figure only
// explains the others. A target whose scenarios were not run is left out.
type Ratio struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"` // "x" (a ratio) or "ms"
	Target string  `json:"target"`
	Status string  `json:"status"`
	Note   string  `json:"note,omitempty"`
}

// ratios works out the targets' figures from the results present.
func ratios(rep *Report, rate float64) []Ratio {
	var out []Ratio
	per := func(key string) (float64, bool) {
		r := rep.Result(key)
		if r == nil || r.PerSecond == 0 {
			return 0, false
		}
		return r.PerSecond, true
	}
	// scope is "" for a target on both engines, "postgres" for one set
	// for PostgreSQL only, and "context" for a figure shown beside the
	// targets to explain them.
	ratio := func(name, num, den string, target float64, scope string) {
		a, ok1 := per(num)
		b, ok2 := per(den)
		if !ok1 || !ok2 {
			return
		}
		r := Ratio{Name: name, Value: a / b, Unit: "x", Target: "≥ " + trim(target) + "x"}
		switch {
		case scope == "context":
			r.Status, r.Target = "info", "(not a target)"
		case scope == "postgres" && rep.Engine != "postgres":
			r.Status, r.Target = "info", r.Target+" on PostgreSQL"
		case r.Value >= target:
			r.Status = "PASS"
		default:
			r.Status = "MISS"
		}
		out = append(out, r)
	}
	n := rep.Accounts
	ratio(fmt.Sprintf("coffer in-process / naive, %d accounts", n), CofferSpread, NaiveSpread, 20, "postgres")
	ratio("coffer in-process / naive, 1 hot account", CofferHot, NaiveHot, 50, "postgres")
	ratio(fmt.Sprintf("hot account / %d accounts, in-process", n), CofferHot, CofferSpread, 0.9, "")
	ratio(fmt.Sprintf("coffer in-process, %d accounts / raw append", n), CofferSpread, RawAppend, 0.5, "")
	ratio("coffer in-process, 1 hot account / raw append", CofferHot, RawAppend, 0.5, "")
	// Issue 16: against the raw append of Coffer's own row, spread ≥ 60%
	// and hot ≥ 80% on PostgreSQL; spread ≥ 80% on SQLite.
	spreadOfLedger := 0.6
	if rep.Engine != "postgres" {
		spreadOfLedger = 0.8
	}
	ratio(fmt.Sprintf("coffer in-process, %d accounts / raw append of coffer's rows", n), CofferSpread, RawLedger, spreadOfLedger, "")
	ratio("coffer in-process, 1 hot account / raw append of coffer's rows", CofferHot, RawLedger, 0.8, "postgres")
	if r := rep.Result(HTTPOpen); r != nil {
		x := Ratio{Name: fmt.Sprintf("http single-debit p99 at %.0f/s offered", rate), Value: r.P99ms, Unit: "ms",
			Target: "≤ 10ms", Status: "PASS",
			Note: fmt.Sprintf("achieved %.0f/s, %d of %d sent answered", r.PerSecond, r.Debits, r.Sent)}
		// It must also have kept up: answered nearly all it was offered in
		// time, with no errors.
		if r.P99ms > 10 || r.PerSecond < 0.97*rate || r.Errors > 0 {
			x.Status = "MISS"
		}
		out = append(out, x)
	}
	ratio("http batch / http single debits, throughput", HTTPBatch, HTTPSingle, 5, "")
	out = append(out, closeRatios(rep)...)
	out = append(out, sweepTargets(rep)...)
	return out
}

// closeRatios sets the hot path while the month closes against the same
// load before and after it: figures beside the targets, not targets.
func closeRatios(rep *Report) []Ratio {
	b, d, a := rep.Result(CloseBefore), rep.Result(CloseDuring), rep.Result(CloseAfter)
	if rep.Close == nil || b == nil || d == nil || a == nil || b.Seconds+a.Seconds == 0 || d.Seconds == 0 {
		return nil
	}
	without := float64(b.Debits+a.Debits) / (b.Seconds + a.Seconds)
	p99 := max(b.P99ms, a.P99ms)
	out := []Ratio{{Name: "debits/s while the month closes / before and after", Value: d.PerSecond / without, Unit: "x",
		Target: "(not a target)", Status: "info", Note: fmt.Sprintf("%.0f/s against %.0f/s", d.PerSecond, without)}}
	if p99 > 0 {
		out = append(out, Ratio{Name: "debit p99 while the month closes / before and after", Value: d.P99ms / p99, Unit: "x",
			Target: "(not a target)", Status: "info", Note: fmt.Sprintf("%s against %s", fmtMs(d.P99ms), fmtMs(p99))})
	}
	return out
}

func trim(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// WriteTable prints the report for a reader: the setting, a row per
// scenario, the targets, and the verification.
func (rep *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "coffer bench: %s, %d CPUs, %s\n", rep.Engine, rep.CPUs, rep.GoVersion)
	fmt.Fprintf(w, "database:     %s\n", rep.Database)
	fmt.Fprintf(w, "durability:   %s\n", rep.Durability)
	plan := rep.Plan
	if rep.Rounds > 1 {
		plan += fmt.Sprintf(", in %d rounds taken in turn", rep.Rounds)
	}
	fmt.Fprintf(w, "load:         %s; %d accounts + 1 hot; in-process %d goroutines; HTTP and naive %d clients;"+
		" batch requests of %d; raw append %d rows per commit\n",
		plan, rep.Accounts, rep.Concurrency, rep.Clients, rep.BatchSize, rep.AppendBatch)
	fmt.Fprintf(w, "committers:   %d side by side (busy and the phase times add up theirs)\n\n", rep.Committers)

	width := len("scenario")
	for _, r := range rep.Results {
		width = max(width, len(r.Name))
	}
	fmt.Fprintf(w, "%-*s  %5s  %10s  %7s  %10s  %9s  %9s  %8s  %5s  %s\n", width, "scenario", "conc", "debits", "seconds",
		"debits/s", "p50", "p99", "/commit", "busy", "latency of")
	for _, r := range rep.Results {
		busy := "-"
		if r.Busy > 0 {
			busy = fmt.Sprintf("%.0f%%", 100*r.Busy)
		}
		fmt.Fprintf(w, "%-*s  %5d  %10s  %7.2f  %10s  %9s  %9s  %8.1f  %5s  %s", width, r.Name, r.Concurrency, group(r.Debits),
			r.Seconds, group(int64(r.PerSecond+0.5)), fmtMs(r.P50ms), fmtMs(r.P99ms), r.PerCommit, busy, r.LatencyOf)
		if r.Errors > 0 {
			fmt.Fprintf(w, "  (%s errors; first: %s)", group(r.Errors), r.FirstError)
		}
		fmt.Fprintln(w)
	}

	rep.writePhases(w)
	rep.writeOps(w)
	rep.writeClose(w)
	rep.writeSweep(w)

	if len(rep.Ratios) > 0 {
		width = len("target")
		for _, x := range rep.Ratios {
			width = max(width, len(x.Name))
		}
		fmt.Fprintf(w, "\n%-*s  %9s  %-22s  %s\n", width, "target", "measured", "wanted", "result")
		for _, x := range rep.Ratios {
			v := fmt.Sprintf("%.2fx", x.Value)
			if x.Unit == "ms" {
				v = fmtMs(x.Value)
			}
			fmt.Fprintf(w, "%-*s  %9s  %-22s  %s", width, x.Name, v, x.Target, x.Status)
			if x.Note != "" {
				fmt.Fprintf(w, "  (%s)", x.Note)
			}
			fmt.Fprintln(w)
		}
	}

	fmt.Fprintln(w)
	if rep.CheckOK {
		fmt.Fprintln(w, "check:        ok, all ledger invariants hold")
	} else {
		fmt.Fprintf(w, "check:        %d VIOLATIONS\n", len(rep.Violations))
		for _, v := range rep.Violations {
			fmt.Fprintf(w, "  %s\n", v)
		}
	}
	fmt.Fprintf(w, "coffer:       %s debits acknowledged, %s recorded\n", group(rep.Acknowledged), group(rep.Recorded))
	fmt.Fprintf(w, "naive:        %s debits recorded, %d accounts off balance\n", group(rep.NaiveRecorded), rep.NaiveDrift)
}

// writePhases prints where the committer's time went, per debit, for the
// scenarios that went through it.
func (rep *Report) writePhases(w io.Writer) {
	width := 0
	for _, r := range rep.Results {
		if r.Phases != nil {
			width = max(width, len(r.Name))
		}
	}
	if width == 0 {
		return
	}
	fmt.Fprintf(w, "\n%-*s", width, "committer time per debit, µs")
	for _, p := range PhaseNames {
		fmt.Fprintf(w, "  %7s", p)
	}
	fmt.Fprintf(w, "  %7s\n", "total")
	for _, r := range rep.Results {
		if r.Phases == nil {
			continue
		}
		fmt.Fprintf(w, "%-*s", width, r.Name)
		var total float64
		for _, p := range PhaseNames {
			fmt.Fprintf(w, "  %7.1f", r.Phases[p])
			total += r.Phases[p]
		}
		fmt.Fprintf(w, "  %7.1f\n", total)
	}
}

// writeClose prints the invoice-close scenario's close, if it ran.
func (rep *Report) writeClose(w io.Writer) {
	c := rep.Close
	if c == nil {
		return
	}
	fmt.Fprintf(w, "\ninvoice close: %s accounts with %d debits each (seeded in %.1fs), and the %s other accounts open in the month\n",
		group(int64(c.Accounts)), c.Usage, c.SeedSeconds, group(c.Expected-int64(c.Accounts)))
	fmt.Fprintf(w, "  closed:                   %s invoices in %.1fs = %.0f accounts/s\n", group(c.Invoices), c.Seconds, c.PerSecond)
	fmt.Fprintf(w, "  beside the load:          %s invoices, %.0f accounts/s\n", group(c.BesideLoad), c.BesideLoadPerSec)
	if c.Invoices > c.BesideLoad {
		fmt.Fprintf(w, "  alone, after the load:    %s invoices in %.1fs, %.0f accounts/s\n", group(c.Invoices-c.BesideLoad), c.AloneSeconds, c.AlonePerSecond)
	}
	if c.Error != "" {
		fmt.Fprintf(w, "  the close failed: %s\n", c.Error)
	}
	fmt.Fprintf(w, "  slowest debit:            before %s, during %s, after %s\n", fmtMs(c.MaxBeforeMs), fmtMs(c.MaxDuringMs), fmtMs(c.MaxAfterMs))
	fmt.Fprintf(w, "  peak heap / RSS, MiB:    ")
	for _, p := range []string{"before", "during", "alone", "after"} {
		if m, ok := c.Memory[p]; ok {
			fmt.Fprintf(w, " %s %.0f / %.0f;", p, m.PeakHeapMiB, m.PeakRSSMiB)
		}
	}
	fmt.Fprintln(w)
}

// Problems lists what makes the run's numbers untrustworthy: broken
// invariants, debits lost or doubled, failed debits.
func (rep *Report) Problems() []string {
	var out []string
	if !rep.CheckOK {
		out = append(out, fmt.Sprintf("coffer check found %d violations", len(rep.Violations)))
	}
	errs := rep.sweepErrors()
	for _, r := range rep.Results {
		errs += r.Errors
	}
	// A debit whose answer was lost may still have been recorded, so only
	// with no errors must the counts agree exactly.
	if rep.Recorded < rep.Acknowledged || (errs == 0 && rep.Recorded != rep.Acknowledged) {
		out = append(out, fmt.Sprintf("%d debits acknowledged but %d recorded", rep.Acknowledged, rep.Recorded))
	}
	if c := rep.Close; c != nil && (c.Error != "" || c.Invoices != c.Expected) {
		out = append(out, fmt.Sprintf("the invoice close wrote %d invoices for %d accounts (error: %q)", c.Invoices, c.Expected, c.Error))
	}
	if rep.NaiveDrift > 0 {
		out = append(out, fmt.Sprintf("%d naive accounts disagree with their journal", rep.NaiveDrift))
	}
	if errs > 0 {
		out = append(out, fmt.Sprintf("%d debits failed", errs))
	}
	return out
}

// fmtMs prints a latency in milliseconds with sensible precision.
func fmtMs(v float64) string {
	switch {
	case v < 1:
		return fmt.Sprintf("%.3fms", v)
	case v < 100:
		return fmt.Sprintf("%.2fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

// group prints n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
