package e2e

import (
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
)

// TestDebitBatch sends a batch mixing good debits, a repeat, a refusal and
// a bad item: each is answered on its own, in order.
func TestDebitBatch(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Batched", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("5.00")})
		res, err := h.admin.DebitBatch(h.ctx, api.DebitBatch{Debits: []api.DebitCreate{
			{AccountID: a.ID, EventID: "b-1", Amount: amtp("1.00")},
			{AccountID: a.ID, EventID: "b-2", Amount: amtp("2.00")},
			{AccountID: a.ID, EventID: "b-1", Amount: amtp("1.00")}, // the same event again
			{AccountID: a.ID, EventID: "b-3", Amount: amtp("9.00")}, // more than is left
			{AccountID: a.ID, EventID: "b-4"},                       // no amount
			{AccountID: a.ID, EventID: "b-5", Amount: amtp("2.00")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{201, 201, 201, 402, 400, 201}
		for i, item := range res.Data {
			if item.Status != want[i] {
				t.Errorf("item %d: status %d, want %d (%+v)", i, item.Status, want[i], item.Error)
			}
		}
		if !res.Data[2].Debit.Replayed || res.Data[2].Debit.Transaction.ID != res.Data[0].Debit.Transaction.ID {
			t.Errorf("repeated event in a batch was not answered with the first debit")
		}
		if e := res.Data[4].Error; e == nil || e.Param != "debits[4].amount" {
			t.Errorf("bad item should name debits[4].amount: %+v", e)
		}
		wantAmount(t, "balance", h.balance(a.ID).Balance, "0.00")
	})
}

func TestHoldReleaseAndClose(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Closing", "")
		h.grant(a.ID, api.GrantCreate{Amount: amt("5.00")})
		hold, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("4.00"), TTL: "5m", EventID: "call-1"})
		if err != nil {
			t.Fatal(err)
		}
		// More than is available beside the hold is refused.
		_, err = h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("2.00"), TTL: "5m"})
		wantCode(t, err, coffer.EInsufficientBalance)
		// The same event's hold again answers with the first hold.
		again, err := h.admin.CreateHold(h.ctx, api.HoldCreate{AccountID: a.ID, Amount: amt("4.00"), TTL: "5m", EventID: "call-1"})
		if err != nil || again.ID != hold.ID {
			t.Fatalf("hold replay by event: %v %v", again, err)
		}
		rel, err := h.admin.ReleaseHold(h.ctx, hold.ID)
		if err != nil || rel.Status != "released" {
			t.Fatalf("release: %v %v", rel, err)
		}
		_, err = h.admin.CaptureHold(h.ctx, hold.ID, api.HoldCapture{Amount: amt("1")})
		wantCode(t, err, coffer.EConflict)
		wantAmount(t, "available after release", h.balance(a.ID).Available, "5.00")

		closed, err := h.admin.CloseAccount(h.ctx, a.ID)
		if err != nil || closed.Status != "closed" {
			t.Fatalf("close: %v %v", closed, err)
		}
		_, err = h.admin.Debit(h.ctx, api.DebitCreate{AccountID: a.ID, EventID: "after", Amount: amtp("1")})
		wantCode(t, err, coffer.EAccountClosed)
		_, err = h.admin.CreateGrant(h.ctx, a.ID, api.GrantCreate{Amount: amt("1")})
		wantCode(t, err, coffer.EAccountClosed)
	})
}
