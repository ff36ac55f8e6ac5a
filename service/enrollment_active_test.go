package service_test

import (
	"path/filepath"
	"testing"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// An account's active enrollment is found while it lasts and is gone
// once it ends; an account key may not ask, as it may not list a
// program's enrollments.
func TestAccountEnrollment(t *testing.T) {
	svc, _ := newSeriesService(t, filepath.Join(t.TempDir(), "coffer.db"))
	ctx := t.Context()
	admin := service.Call{Caller: &service.Caller{KeyID: "key_test", Role: coffer.RoleAdmin}}
	a, err := svc.CreateAccount(ctx, admin, api.AccountCreate{Name: "Enrolled", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := svc.AccountEnrollment(ctx, admin, a.ID); err != nil || e != nil {
		t.Fatalf("before enrolment: %v, %v", e, err)
	}
	no := false
	p, err := svc.CreateProgram(ctx, admin, api.ProgramCreate{Name: "Impact", Gift: money.MustParse("500"), StartsOn: "2030-01",
		RequiresPaymentMethod: &no})
	if err != nil {
		t.Fatal(err)
	}
	enr, err := svc.Enroll(ctx, admin, p.ID, api.EnrollmentCreate{AccountID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.AccountEnrollment(ctx, admin, a.ID)
	if err != nil || got == nil || got.ID != enr.ID || got.ProgramID != p.ID || got.Gift.Remaining != money.MustParse("500") {
		t.Fatalf("while enrolled: %+v, %v", got, err)
	}
	owner := service.Call{Caller: &service.Caller{KeyID: "key_owner", Role: coffer.RoleAccount, AccountID: a.ID}}
	if _, err := svc.AccountEnrollment(ctx, owner, a.ID); coffer.ErrorCode(err) != coffer.EForbidden {
		t.Fatalf("an account key was answered %v", err)
	}
	if _, err := svc.AccountEnrollment(ctx, admin, "acct_missing"); coffer.ErrorCode(err) != coffer.ENotFound && coffer.ErrorCode(err) != coffer.EInvalid {
		t.Fatalf("a missing account was answered %v", err)
	}
	if _, err := svc.Unenroll(ctx, admin, enr.ID); err != nil {
		t.Fatal(err)
	}
	if e, err := svc.AccountEnrollment(ctx, admin, a.ID); err != nil || e != nil {
		t.Fatalf("after the end: %v, %v", e, err)
	}
}
