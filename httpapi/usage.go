package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
)

const (
	tagDebits    = "Debits"
	tagHolds     = "Holds"
	tagTestClock = "Test clock"
)

func (h *handler) registerUsage(a huma.API) {
	op := mutate(http.MethodPost, http.StatusCreated, "createDebit", "/v1/debits", tagDebits,
		"Debit usage", "Consumes credits for one usage event: unit credits of the debit's unit first, "+
			"then monetary credits by priority and expiry, then down to the account's floor. "+
			"A strict debit that would cross the floor is refused whole with 402 insufficient_balance; "+
			"allow_negative posts usage already served as a debt. The event id makes it safe to retry.")
	op.Errors = moneyErrors
	register(a, op, func(ctx context.Context, in *struct {
		Body api.DebitCreate
	}) (*api.Debit, error) {
		return h.svc.Debit(ctx, callFrom(ctx), in.Body)
	})

	op = mutate(http.MethodPost, http.StatusOK, "createDebitBatch", "/v1/debits/batch", tagDebits,
		"Debit a batch of usage", "Applies up to 10,000 debits in order. Each succeeds or fails on its own: "+
			"the answer has one item per debit with its status and either the debit or the error.")
	op.MaxBodyBytes = maxBatchBodyBytes
	register(a, op, func(ctx context.Context, in *struct {
		Body api.DebitBatch
	}) (*api.DebitBatchResult, error) {
		return h.svc.DebitBatch(ctx, callFrom(ctx), in.Body)
	})

	op = mutate(http.MethodPost, http.StatusCreated, "createHold", "/v1/holds", tagHolds,
		"Place a hold", "Reserves an amount before work whose final cost is not known yet. "+
			"It lowers the available balance but consumes no credit until captured.")
	op.Errors = moneyErrors
	register(a, op, func(ctx context.Context, in *struct {
		Body api.HoldCreate
	}) (*api.Hold, error) {
		return h.svc.CreateHold(ctx, callFrom(ctx), in.Body)
	})

	register(a, get("getHold", "/v1/holds/{id}", tagHolds, "Retrieve a hold",
		"Returns the hold: the amount reserved, what was captured, its status (active, captured, released or expired) and when it expires."),
		func(ctx context.Context, in *struct {
			HoldPath
		}) (*api.Hold, error) {
			return h.svc.GetHold(ctx, callFrom(ctx), in.ID)
		})

	op = mutate(http.MethodPost, http.StatusOK, "captureHold", "/v1/holds/{id}/capture", tagHolds,
		"Capture a hold", "Settles the hold for its final amount, which may be more or less than was held.")
	op.Errors = moneyErrors
	register(a, op, func(ctx context.Context, in *struct {
		HoldPath
		Body api.HoldCapture
	}) (*api.Hold, error) {
		return h.svc.CaptureHold(ctx, callFrom(ctx), in.ID, in.Body)
	})

	register(a, mutate(http.MethodPost, http.StatusOK, "releaseHold", "/v1/holds/{id}/release", tagHolds,
		"Release a hold", "Frees the reserved amount without consuming anything."),
		func(ctx context.Context, in *struct {
			HoldPath
		}) (*api.Hold, error) {
			return h.svc.ReleaseHold(ctx, callFrom(ctx), in.ID)
		})
}

// registerTestClock adds the test clock's route; New calls it only for a
// server started in test mode.
func (h *handler) registerTestClock(a huma.API) {
	register(a, mutate(http.MethodPost, http.StatusOK, "advanceTestClock", "/v1/test_clock/advance", tagTestClock,
		"Advance the test clock", "Moves the server's test clock forward, to an instant or by a duration, "+
			"and runs the work that fell due: expiries, hold TTLs and the rest. Admin keys only."),
		func(ctx context.Context, in *struct {
			Body api.ClockAdvance
		}) (*api.Clock, error) {
			return h.svc.AdvanceClock(ctx, callFrom(ctx), in.Body)
		})
}
