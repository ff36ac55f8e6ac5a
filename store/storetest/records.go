package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// Accounts, subaccounts, API keys and idempotency records.

func testAccounts(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := &coffer.Account{
		ID: f.ids.New(coffer.PrefixAccount, f.now), Name: "Acme Voice", Email: "ops@acme.test",
		NotificationEmails: []string{"cfo@acme.test", "alerts@acme.test"}, Currency: "EUR",
		Status: ledger.StatusActive, BillingMode: "postpaid", MinBalance: amt("-50.25"), CreditLimit: amt("-75"), TrustTier: 3,
		Metadata: map[string]string{"crm": "c-42", "région": "ÎdF"}, CreatedAt: f.now, UpdatedAt: f.now.Add(1500),
	}
	a.UpdatedAt = a.UpdatedAt.Truncate(1000) // microsecond precision
	ev := ledger.Event{ID: f.ids.New(coffer.PrefixEvent, f.now), Type: "account.created", AccountID: a.ID,
		Data: map[string]any{"name": a.Name}, CreatedAt: f.now}
	idem := &store.Idempotency{Scope: "key_admin", Key: "create-1", RequestHash: "h1", Status: 200,
		Body: []byte(`{"id":"` + a.ID + `"}`), CreatedAt: f.now}
	if err := s.CreateAccount(f.ctx, a, []ledger.Event{ev}, idem); err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := s.GetAccount(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	same(t, "account", got, a)

	gotIdem, err := s.GetIdempotency(f.ctx, "key_admin", "create-1")
	if err != nil {
		t.Fatalf("get idempotency: %v", err)
	}
	same(t, "idempotency", gotIdem, idem)

	// A new account's ledger is empty.
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load state: %v", err)
	}
	same(t, "state", st, &ledger.State{Account: ledger.Account{ID: a.ID, Currency: "EUR",
		Status: ledger.StatusActive, MinBalance: amt("-50.25"), CreditLimit: amt("-75")}})

	// A batch marks the account at its credit limit; a changed limit
	// clears the mark, an unchanged one keeps it.
	if err := s.Batch(f.ctx, func(b store.Batch) error {
		states, err := b.LoadStates(f.ctx, []string{a.ID})
		if err != nil {
			return err
		}
		states[a.ID].Account.AtCreditLimit = true
		return b.Write(f.ctx, &store.Writes{States: []*ledger.State{states[a.ID]}})
	}); err != nil {
		t.Fatalf("mark at credit limit: %v", err)
	}
	atLimit := func(want bool, limit string, what string) {
		t.Helper()
		if _, err := s.UpdateAccount(f.ctx, a.ID, func(x *coffer.Account) error { x.CreditLimit = amt(limit); return nil }, nil); err != nil {
			t.Fatalf("update: %v", err)
		}
		st, err := s.LoadState(f.ctx, a.ID)
		if err != nil {
			t.Fatalf("load state: %v", err)
		}
		if st.Account.AtCreditLimit != want || st.Account.CreditLimit != amt(limit) {
			t.Fatalf("%s: at limit %v, limit %s", what, st.Account.AtCreditLimit, st.Account.CreditLimit)
		}
	}
	atLimit(true, "-75", "unchanged limit")
	atLimit(false, "-80", "changed limit")
	atLimit(false, "-75", "changed back")
	if got, err = s.GetAccount(f.ctx, a.ID); err != nil {
		t.Fatalf("get: %v", err)
	}
	a.UpdatedAt = got.UpdatedAt

	// Empty optional fields read back empty.
	b := &coffer.Account{ID: f.ids.New(coffer.PrefixAccount, f.now), Currency: "USD",
		Status: ledger.StatusActive, BillingMode: "prepaid", CreatedAt: f.now, UpdatedAt: f.now}
	if err := s.CreateAccount(f.ctx, b, nil, nil); err != nil {
		t.Fatalf("create bare: %v", err)
	}
	got, err = s.GetAccount(f.ctx, b.ID)
	if err != nil {
		t.Fatalf("get bare: %v", err)
	}
	same(t, "bare account", got, b)

	// Errors.
	_, err = s.GetAccount(f.ctx, "acct_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	_, err = s.LoadState(f.ctx, "acct_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	dup := *b
	wantCode(t, s.CreateAccount(f.ctx, &dup, nil, nil), coffer.EConflict)
	// The idempotency key is taken: the whole creation is refused.
	c := &coffer.Account{ID: f.ids.New(coffer.PrefixAccount, f.now), Currency: "USD",
		Status: ledger.StatusActive, BillingMode: "prepaid", CreatedAt: f.now, UpdatedAt: f.now}
	wantCode(t, s.CreateAccount(f.ctx, c, nil, idem), coffer.EConflict)
	_, err = s.GetAccount(f.ctx, c.ID)
	wantCode(t, err, coffer.ENotFound)
}

func testAccountsList(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	var ids []string
	for range 7 {
		ids = append(ids, f.account().ID)
		f.tick(1000)
	}
	slices.Sort(ids)

	var got []string
	after := ""
	pages := 0
	for {
		page, more, err := s.ListAccounts(f.ctx, store.Page{Limit: 3, StartingAfter: after})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		pages++
		for _, a := range page {
			got = append(got, a.ID)
		}
		if !more {
			if len(page) > 3 {
				t.Fatalf("page of %d, limit 3", len(page))
			}
			break
		}
		if len(page) != 3 {
			t.Fatalf("page of %d with more to come, want 3", len(page))
		}
		after = page[len(page)-1].ID
	}
	same(t, "accounts in id order", got, ids)
	if pages != 3 {
		t.Fatalf("%d pages, want 3", pages)
	}
	// An exact fit reports no more.
	page, more, err := s.ListAccounts(f.ctx, store.Page{Limit: 7})
	if err != nil || len(page) != 7 || more {
		t.Fatalf("list 7 of 7: %d items, more %v, err %v", len(page), more, err)
	}
	page, more, err = s.ListAccounts(f.ctx, store.Page{Limit: 2, StartingAfter: ids[6]})
	if err != nil || len(page) != 0 || more {
		t.Fatalf("list after the last: %d items, more %v, err %v", len(page), more, err)
	}
}

func testUpdateAccount(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a := f.account()
	later := f.tick(3600e9)
	idem := &store.Idempotency{Scope: "key_1", Key: "upd-1", RequestHash: "h", Status: 200, Body: []byte("{}"), CreatedAt: later}
	got, err := s.UpdateAccount(f.ctx, a.ID, func(x *coffer.Account) error {
		x.Name, x.Email = "Acme Ltd", "new@acme.test"
		x.NotificationEmails = []string{"a@acme.test"}
		x.MinBalance, x.TrustTier, x.BillingMode = amt("-10"), 2, "postpaid"
		x.Status = ledger.StatusSuspended
		x.Metadata = map[string]string{"k": "v"}
		x.UpdatedAt = later
		x.ID = "acct_ignored" // the id is not fn's to change
		return nil
	}, idem)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	want := *a
	want.Name, want.Email, want.NotificationEmails = "Acme Ltd", "new@acme.test", []string{"a@acme.test"}
	want.MinBalance, want.TrustTier, want.BillingMode = amt("-10"), 2, "postpaid"
	want.Status, want.Metadata, want.UpdatedAt = ledger.StatusSuspended, map[string]string{"k": "v"}, later
	same(t, "updated", got, &want)
	stored, err := s.GetAccount(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	same(t, "stored", stored, &want)
	st, err := s.LoadState(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("load state: %v", err)
	}
	if st.Account.Status != ledger.StatusSuspended || st.Account.MinBalance != amt("-10") {
		t.Fatalf("ledger view after update: %+v", st.Account)
	}
	if _, err := s.GetIdempotency(f.ctx, "key_1", "upd-1"); err != nil {
		t.Fatalf("idempotency of update: %v", err)
	}

	// fn's error is returned as is and nothing changes.
	boom := errors.New("boom")
	_, err = s.UpdateAccount(f.ctx, a.ID, func(x *coffer.Account) error {
		x.Name = "changed"
		return boom
	}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("update with failing fn: %v, want boom", err)
	}
	_, err = s.UpdateAccount(f.ctx, a.ID, func(*coffer.Account) error {
		return coffer.Errorf(coffer.EConflict, "no")
	}, nil)
	wantCode(t, err, coffer.EConflict)
	stored, _ = s.GetAccount(f.ctx, a.ID)
	same(t, "after failed updates", stored, &want)

	_, err = s.UpdateAccount(f.ctx, "acct_00000000000000000000000000", func(*coffer.Account) error { return nil }, nil)
	wantCode(t, err, coffer.ENotFound)
}

func testSubaccounts(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	a, other := f.account(), f.account()
	mk := func(account, authID string) *coffer.Subaccount {
		f.tick(1000)
		return &coffer.Subaccount{ID: f.ids.New(coffer.PrefixSubaccount, f.now), AccountID: account,
			Name: "eu-gateway", Enabled: true, AuthID: authID, TokenHash: []byte{1, 2, 3, byte(len(authID))},
			CreatedAt: f.now, UpdatedAt: f.now}
	}
	sub := mk(a.ID, "AC_one")
	idem := &store.Idempotency{Scope: "key_1", Key: "sub-1", RequestHash: "h", Status: 200, Body: []byte("{}"), CreatedAt: f.now}
	if err := s.CreateSubaccount(f.ctx, sub, idem); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := s.GetIdempotency(f.ctx, "key_1", "sub-1"); err != nil {
		t.Fatalf("idempotency: %v", err)
	}
	got, err := s.GetSubaccount(f.ctx, sub.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	same(t, "subaccount", got, sub)
	got, err = s.GetSubaccountByAuthID(f.ctx, "AC_one")
	if err != nil {
		t.Fatalf("get by auth id: %v", err)
	}
	same(t, "subaccount by auth id", got, sub)

	_, err = s.GetSubaccount(f.ctx, "sub_00000000000000000000000000")
	wantCode(t, err, coffer.ENotFound)
	_, err = s.GetSubaccountByAuthID(f.ctx, "AC_nobody")
	wantCode(t, err, coffer.ENotFound)
	wantCode(t, s.CreateSubaccount(f.ctx, mk(a.ID, "AC_one"), nil), coffer.EConflict)
	wantCode(t, s.CreateSubaccount(f.ctx, mk("acct_00000000000000000000000000", "AC_orphan"), nil), coffer.ENotFound)

	// Listing: the account's own, in id order, deleted ones left out.
	want := []string{sub.ID}
	for i := range 4 {
		x := mk(a.ID, "AC_"+string(rune('a'+i)))
		if err := s.CreateSubaccount(f.ctx, x, nil); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		want = append(want, x.ID)
	}
	if err := s.CreateSubaccount(f.ctx, mk(other.ID, "AC_other"), nil); err != nil {
		t.Fatalf("create other: %v", err)
	}
	slices.Sort(want)

	// Update: rename and disable one; delete another.
	later := f.tick(60e9)
	upd, err := s.UpdateSubaccount(f.ctx, want[1], func(x *coffer.Subaccount) error {
		x.Name, x.Enabled, x.UpdatedAt = "renamed", false, later
		x.AccountID = other.ID // not fn's to change
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if upd.Name != "renamed" || upd.Enabled || upd.AccountID != a.ID || !upd.UpdatedAt.Equal(later) {
		t.Fatalf("updated subaccount: %+v", upd)
	}
	again, _ := s.GetSubaccount(f.ctx, want[1])
	same(t, "stored update", again, upd)
	if _, err := s.UpdateSubaccount(f.ctx, want[2], func(x *coffer.Subaccount) error {
		x.Deleted = true
		return nil
	}, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	deleted, err := s.GetSubaccount(f.ctx, want[2])
	if err != nil || !deleted.Deleted {
		t.Fatalf("a deleted subaccount is still readable, marked deleted: %+v, %v", deleted, err)
	}
	want = slices.Delete(want, 2, 3)

	var ids []string
	after := ""
	for {
		page, more, err := s.ListSubaccounts(f.ctx, a.ID, store.Page{Limit: 2, StartingAfter: after})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, x := range page {
			ids = append(ids, x.ID)
		}
		if !more {
			break
		}
		after = page[len(page)-1].ID
	}
	same(t, "listed subaccounts", ids, want)

	_, err = s.UpdateSubaccount(f.ctx, "sub_00000000000000000000000000", func(*coffer.Subaccount) error { return nil }, nil)
	wantCode(t, err, coffer.ENotFound)
}

func testAPIKeys(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	n, err := s.CountAPIKeys(f.ctx)
	if err != nil || n != 0 {
		t.Fatalf("count on a fresh store: %d, %v", n, err)
	}
	a := f.account()
	admin := &coffer.APIKey{ID: f.ids.New(coffer.PrefixKey, f.now), Role: coffer.RoleAdmin, Name: "first",
		Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: f.now}
	acct := &coffer.APIKey{ID: f.ids.New(coffer.PrefixKey, f.now), Role: coffer.RoleAccount, AccountID: a.ID,
		Name: "acme", Hash: []byte("fedcba9876543210fedcba9876543210"), CreatedAt: f.now}
	for _, k := range []*coffer.APIKey{admin, acct} {
		if err := s.CreateAPIKey(f.ctx, k, nil); err != nil {
			t.Fatalf("create key: %v", err)
		}
	}
	for _, k := range []*coffer.APIKey{admin, acct} {
		got, err := s.GetAPIKeyByHash(f.ctx, k.Hash)
		if err != nil {
			t.Fatalf("get key: %v", err)
		}
		same(t, "key", got, k)
	}
	_, err = s.GetAPIKeyByHash(f.ctx, []byte("nope"))
	wantCode(t, err, coffer.ENotFound)
	dup := &coffer.APIKey{ID: f.ids.New(coffer.PrefixKey, f.now), Role: coffer.RoleUsage, Hash: admin.Hash, CreatedAt: f.now}
	wantCode(t, s.CreateAPIKey(f.ctx, dup, nil), coffer.EConflict)
	if n, err := s.CountAPIKeys(f.ctx); err != nil || n != 2 {
		t.Fatalf("count: %d, %v", n, err)
	}
	testAPIKeyLifecycle(t, f, s, admin, acct)
}

// testAPIKeyLifecycle lists keys, revokes and rotates them (each moving
// the revision), and records their use.
func testAPIKeyLifecycle(t *testing.T, f *fixture, s store.Store, admin, acct *coffer.APIKey) {
	list, more, err := s.ListAPIKeys(f.ctx, store.Page{Limit: 1})
	if err != nil || more != true || len(list) != 1 || list[0].ID != admin.ID {
		t.Fatalf("first page of keys: %v %v %v", list, more, err)
	}
	list, more, err = s.ListAPIKeys(f.ctx, store.Page{Limit: 5, StartingAfter: admin.ID})
	if err != nil || more || len(list) != 1 || list[0].ID != acct.ID {
		t.Fatalf("second page of keys: %v %v %v", list, more, err)
	}
	rev, err := s.APIKeyRevision(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := &coffer.APIKey{ID: f.ids.New(coffer.PrefixKey, f.now), Role: coffer.RoleAdmin, Name: "next",
		Hash: []byte("1123456789abcdef0123456789abcdef"), CreatedAt: f.now}
	until := f.now.Add(time.Hour)
	got, err := s.UpdateAPIKey(f.ctx, admin.ID, func(k *coffer.APIKey) error {
		k.ExpiresAt, k.ReplacedBy = until, next.ID
		return nil
	}, next, nil)
	if err != nil || !got.ExpiresAt.Equal(until) || got.ReplacedBy != next.ID {
		t.Fatalf("rotate: %+v %v", got, err)
	}
	if k, err := s.GetAPIKey(f.ctx, next.ID); err != nil || k.Name != "next" {
		t.Fatalf("successor: %+v %v", k, err)
	}
	if r, err := s.APIKeyRevision(f.ctx); err != nil || r != rev+1 {
		t.Fatalf("revision after a rotation: %d %v, want %d", r, err, rev+1)
	}
	refused := coffer.Errorf(coffer.EConflict, "no")
	_, err = s.UpdateAPIKey(f.ctx, acct.ID, func(*coffer.APIKey) error { return refused }, nil, nil)
	wantCode(t, err, coffer.EConflict)
	if r, _ := s.APIKeyRevision(f.ctx); r != rev+1 {
		t.Fatalf("a refused update moved the revision to %d", r)
	}
	if _, err := s.UpdateAPIKey(f.ctx, acct.ID, func(k *coffer.APIKey) error { k.RevokedAt = f.now; return nil }, nil, nil); err != nil {
		t.Fatal(err)
	}
	if k, err := s.GetAPIKeyByHash(f.ctx, acct.Hash); err != nil || !k.RevokedAt.Equal(f.now) || k.Usable(f.now) != "revoked" {
		t.Fatalf("revoked key: %+v %v", k, err)
	}
	_, err = s.UpdateAPIKey(f.ctx, "key_00000000000000000000000000", func(*coffer.APIKey) error { return nil }, nil, nil)
	wantCode(t, err, coffer.ENotFound)

	later := f.now.Add(time.Minute)
	if err := s.TouchAPIKeys(f.ctx, map[string]time.Time{admin.ID: later, acct.ID: f.now}); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIKeys(f.ctx, map[string]time.Time{admin.ID: f.now}); err != nil { // older: ignored
		t.Fatal(err)
	}
	if k, _ := s.GetAPIKey(f.ctx, admin.ID); !k.LastUsedAt.Equal(later) {
		t.Fatalf("last used at %v, want %v", k.LastUsedAt, later)
	}
	if k, _ := s.GetAPIKey(f.ctx, acct.ID); !k.LastUsedAt.Equal(f.now) {
		t.Fatalf("last used at %v, want %v", k.LastUsedAt, f.now)
	}
}

func testIdempotency(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	_, err := s.GetIdempotency(f.ctx, "key_1", "k1")
	wantCode(t, err, coffer.ENotFound)
	first := &store.Idempotency{Scope: "key_1", Key: "k1", RequestHash: "abc", Status: 402,
		Body: []byte(`{"error":{"code":"insufficient_balance"}}`), CreatedAt: f.now}
	if err := s.SaveIdempotency(f.ctx, first); err != nil {
		t.Fatalf("save: %v", err)
	}
	// A second answer for the same key is ignored: the first one stands.
	second := *first
	second.Status, second.Body = 200, []byte(`{}`)
	if err := s.SaveIdempotency(f.ctx, &second); err != nil {
		t.Fatalf("save again: %v", err)
	}
	got, err := s.GetIdempotency(f.ctx, "key_1", "k1")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	same(t, "first answer", got, first)
	// Keys are per scope.
	_, err = s.GetIdempotency(f.ctx, "key_2", "k1")
	wantCode(t, err, coffer.ENotFound)
}
