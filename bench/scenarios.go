package bench

import (
	"context"
	"fmt"
	"time"
)

// scenarios builds every scenario over the environment, in the order
// they run. Every debit charges the same amount; debits of the same number
// go to the same account in every spread scenario.
func scenarios(env *cofferEnv, bl baseline, o *Options) []scenario {
	hot := []string{env.hot}
	n := o.Accounts
	closed := func(workers, per int, do op) func(context.Context, plan) outcome {
		return func(ctx context.Context, p plan) outcome { return closedLoop(ctx, p, workers, per, do) }
	}
	return append([]scenario{
		{key: CofferSpread, name: fmt.Sprintf("coffer in-process, %d accounts", n), metered: true,
			conc: o.Concurrency, latencyOf: "debit",
			run: closed(o.Concurrency, 1, env.inProcess(env.spread, "spread-"))},
		{key: CofferHot, name: "coffer in-process, 1 hot account", metered: true,
			conc: o.Concurrency, latencyOf: "debit",
			run: closed(o.Concurrency, 1, env.inProcess(hot, "hot-"))},
		{key: HTTPSingle, name: fmt.Sprintf("http single debits, %d accounts", n), metered: true,
			conc: o.Clients, latencyOf: "request",
			run: closed(o.Clients, 1, env.httpSingle("http-"))},
		{key: HTTPOpen, name: fmt.Sprintf("http single debits, %.0f/s offered", o.Rate), metered: true,
			conc: openWorkers, latencyOf: "request, from its due time",
			run: func(ctx context.Context, p plan) outcome {
				return openLoop(ctx, p, o.Rate, openWorkers, env.httpSingle("open-"))
			}},
		{key: HTTPBatch, name: fmt.Sprintf("http batch of %d, %d accounts", o.BatchSize, n), metered: true,
			conc: o.Clients, latencyOf: fmt.Sprintf("request of %d", o.BatchSize),
			run: closed(o.Clients, o.BatchSize, env.httpBatch("batch-"))},
		{key: NaiveSpread, name: fmt.Sprintf("naive, %d accounts", n),
			conc: o.Clients, latencyOf: "debit",
			run: closed(o.Clients, 1, naiveOp(bl, env.spread, "spread-"))},
		{key: NaiveHot, name: "naive, 1 hot account",
			conc: o.Clients, latencyOf: "debit",
			run: closed(o.Clients, 1, naiveOp(bl, hot, "hot-"))},
		{key: RawAppend, name: fmt.Sprintf("raw append, %d rows per commit", o.AppendBatch),
			conc: 1, latencyOf: fmt.Sprintf("commit of %d", o.AppendBatch),
			run: closed(1, o.AppendBatch, appendOp(bl.appendRows, env.spread, "raw-"))},
		{key: RawLedger, name: fmt.Sprintf("raw append, coffer's rows, %d per commit", o.AppendBatch),
			conc: 1, latencyOf: fmt.Sprintf("commit of %d", o.AppendBatch),
			run: closed(1, o.AppendBatch, appendOp(bl.appendLedger, env.spread, "ledger-"))},
	}, env.ops.scenarios(env, o)...)
}

// openWorkers is how many requests the open-loop run may have in flight:
// far more than 5,000/s needs at a few milliseconds each, so that the
// run measures the server and not a shortage of senders.
const openWorkers = 256

func naiveOp(bl baseline, accounts []string, tag string) op {
	amount := int64(debitAmount)
	return func(ctx context.Context, seq int64, _ int) (int, error) {
		err := bl.debit(ctx, pick(accounts, seq), eventID(tag, seq), amount, time.Now().UnixMicro())
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
}

// appendOp appends the rows of n debits in one transaction.
func appendOp(write func(context.Context, []journalRow) error, accounts []string, tag string) op {
	amount := int64(debitAmount)
	return func(ctx context.Context, seq int64, n int) (int, error) {
		rows := make([]journalRow, n)
		now := time.Now().UnixMicro()
		for i := range rows {
			s := seq + int64(i)
			rows[i] = journalRow{account: pick(accounts, s), event: eventID(tag, s), amount: -amount,
				balanceAfter: int64(openingCredit), when: now}
		}
		if err := write(ctx, rows); err != nil {
			return 0, err
		}
		return n, nil
	}
}

// verify runs coffer check on the store and counts the debits recorded.
func verify(ctx context.Context, env *cofferEnv, bl baseline, rep *Report) error {
	vs, err := env.st.Check(ctx)
	if err != nil {
		return fmt.Errorf("check the store: %w", err)
	}
	rep.CheckOK = len(vs) == 0
	for _, v := range vs {
		rep.Violations = append(rep.Violations, fmt.Sprintf("%s %s: %s", v.Rule, v.Subject, v.Detail))
	}
	for _, r := range rep.Results {
		switch r.Key {
		case CofferSpread, CofferHot, HTTPSingle, HTTPOpen, HTTPBatch, CloseBefore, CloseDuring, CloseAfter:
			rep.Acknowledged += r.Debits
		}
	}
	rep.Acknowledged += opsAcknowledged(rep)
	if c := rep.Close; c != nil {
		rep.Acknowledged += int64(c.Accounts * c.Usage) // the month of usage it seeded
	}
	rep.Acknowledged += rep.sweepAcknowledged()
	if rep.Recorded, err = bl.count(ctx, "SELECT COUNT(*) FROM txns WHERE type = 'debit'"); err != nil {
		return err
	}
	rep.NaiveRecorded, rep.NaiveDrift, err = bl.verify(ctx, int64(openingCredit))
	return err
}
