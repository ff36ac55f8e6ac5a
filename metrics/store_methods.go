package metrics

import (
	"context"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/invoice"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// The pass-through methods of Store: each calls the store underneath and
// counts its error. Made from the store.Store interface; a method added
// there fails to compile here until it is added.

func (ms *Store) GetLot(ctx context.Context, id string) (*ledger.Lot, error) {
	r0, err := ms.next.GetLot(ctx, id)
	ms.failed("GetLot", err)
	return r0, err
}

func (ms *Store) ListLots(ctx context.Context, accountID string, f store.LotFilter) ([]*ledger.Lot, bool, error) {
	r0, r1, err := ms.next.ListLots(ctx, accountID, f)
	ms.failed("ListLots", err)
	return r0, r1, err
}

func (ms *Store) GetHold(ctx context.Context, id string) (*ledger.Hold, error) {
	r0, err := ms.next.GetHold(ctx, id)
	ms.failed("GetHold", err)
	return r0, err
}

func (ms *Store) GetTxn(ctx context.Context, id string) (*ledger.Txn, error) {
	r0, err := ms.next.GetTxn(ctx, id)
	ms.failed("GetTxn", err)
	return r0, err
}

func (ms *Store) ListTxns(ctx context.Context, accountID string, f store.TxnFilter) ([]*ledger.Txn, bool, error) {
	r0, r1, err := ms.next.ListTxns(ctx, accountID, f)
	ms.failed("ListTxns", err)
	return r0, r1, err
}

func (ms *Store) LoadState(ctx context.Context, accountID string) (*ledger.State, error) {
	r0, err := ms.next.LoadState(ctx, accountID)
	ms.failed("LoadState", err)
	return r0, err
}

func (ms *Store) LoadBalance(ctx context.Context, accountID string, at time.Time) (ledger.Balance, error) {
	r0, err := ms.next.LoadBalance(ctx, accountID, at)
	ms.failed("LoadBalance", err)
	return r0, err
}

func (ms *Store) StateAt(ctx context.Context, accountID string, t time.Time) (*ledger.State, error) {
	r0, err := ms.next.StateAt(ctx, accountID, t)
	ms.failed("StateAt", err)
	return r0, err
}

func (ms *Store) AccountsDue(ctx context.Context, now time.Time, limit int) ([]string, error) {
	r0, err := ms.next.AccountsDue(ctx, now, limit)
	ms.failed("AccountsDue", err)
	return r0, err
}

func (ms *Store) CreateAccount(ctx context.Context, a *coffer.Account, events []ledger.Event, idem *store.Idempotency) error {
	err := ms.next.CreateAccount(ctx, a, events, idem)
	ms.failed("CreateAccount", err)
	return err
}

func (ms *Store) GetAccount(ctx context.Context, id string) (*coffer.Account, error) {
	r0, err := ms.next.GetAccount(ctx, id)
	ms.failed("GetAccount", err)
	return r0, err
}

func (ms *Store) ListAccounts(ctx context.Context, p store.Page) ([]*coffer.Account, bool, error) {
	r0, r1, err := ms.next.ListAccounts(ctx, p)
	ms.failed("ListAccounts", err)
	return r0, r1, err
}

func (ms *Store) UpdateAccount(ctx context.Context, id string, fn func(*coffer.Account) error, idem *store.Idempotency) (*coffer.Account, error) {
	r0, err := ms.next.UpdateAccount(ctx, id, fn, idem)
	ms.failed("UpdateAccount", err)
	return r0, err
}

func (ms *Store) CreateSubaccount(ctx context.Context, s *coffer.Subaccount, idem *store.Idempotency) error {
	err := ms.next.CreateSubaccount(ctx, s, idem)
	ms.failed("CreateSubaccount", err)
	return err
}

func (ms *Store) GetSubaccount(ctx context.Context, id string) (*coffer.Subaccount, error) {
	r0, err := ms.next.GetSubaccount(ctx, id)
	ms.failed("GetSubaccount", err)
	return r0, err
}

func (ms *Store) GetSubaccountByAuthID(ctx context.Context, authID string) (*coffer.Subaccount, error) {
	r0, err := ms.next.GetSubaccountByAuthID(ctx, authID)
	ms.failed("GetSubaccountByAuthID", err)
	return r0, err
}

func (ms *Store) ListSubaccounts(ctx context.Context, accountID string, p store.Page) ([]*coffer.Subaccount, bool, error) {
	r0, r1, err := ms.next.ListSubaccounts(ctx, accountID, p)
	ms.failed("ListSubaccounts", err)
	return r0, r1, err
}

func (ms *Store) UpdateSubaccount(ctx context.Context, id string, fn func(*coffer.Subaccount) error, idem *store.Idempotency) (*coffer.Subaccount, error) {
	r0, err := ms.next.UpdateSubaccount(ctx, id, fn, idem)
	ms.failed("UpdateSubaccount", err)
	return r0, err
}

func (ms *Store) CreateAPIKey(ctx context.Context, k *coffer.APIKey, idem *store.Idempotency) error {
	err := ms.next.CreateAPIKey(ctx, k, idem)
	ms.failed("CreateAPIKey", err)
	return err
}

func (ms *Store) GetAPIKey(ctx context.Context, id string) (*coffer.APIKey, error) {
	r0, err := ms.next.GetAPIKey(ctx, id)
	ms.failed("GetAPIKey", err)
	return r0, err
}

func (ms *Store) ListAPIKeys(ctx context.Context, p store.Page) ([]*coffer.APIKey, bool, error) {
	r0, r1, err := ms.next.ListAPIKeys(ctx, p)
	ms.failed("ListAPIKeys", err)
	return r0, r1, err
}

func (ms *Store) UpdateAPIKey(ctx context.Context, id string, fn func(*coffer.APIKey) error, successor *coffer.APIKey, idem *store.Idempotency) (*coffer.APIKey, error) {
	r0, err := ms.next.UpdateAPIKey(ctx, id, fn, successor, idem)
	ms.failed("UpdateAPIKey", err)
	return r0, err
}

func (ms *Store) APIKeyRevision(ctx context.Context) (int64, error) {
	r0, err := ms.next.APIKeyRevision(ctx)
	ms.failed("APIKeyRevision", err)
	return r0, err
}

func (ms *Store) TouchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	err := ms.next.TouchAPIKeys(ctx, used)
	ms.failed("TouchAPIKeys", err)
	return err
}

func (ms *Store) GetAPIKeyByHash(ctx context.Context, hash []byte) (*coffer.APIKey, error) {
	r0, err := ms.next.GetAPIKeyByHash(ctx, hash)
	ms.failed("GetAPIKeyByHash", err)
	return r0, err
}

func (ms *Store) CountAPIKeys(ctx context.Context) (int, error) {
	r0, err := ms.next.CountAPIKeys(ctx)
	ms.failed("CountAPIKeys", err)
	return r0, err
}

func (ms *Store) GetIdempotency(ctx context.Context, scope string, key string) (*store.Idempotency, error) {
	r0, err := ms.next.GetIdempotency(ctx, scope, key)
	ms.failed("GetIdempotency", err)
	return r0, err
}

func (ms *Store) SaveIdempotency(ctx context.Context, idem *store.Idempotency) error {
	err := ms.next.SaveIdempotency(ctx, idem)
	ms.failed("SaveIdempotency", err)
	return err
}

func (ms *Store) CreatePaymentMethod(ctx context.Context, m *coffer.PaymentMethod, idem *store.Idempotency) error {
	err := ms.next.CreatePaymentMethod(ctx, m, idem)
	ms.failed("CreatePaymentMethod", err)
	return err
}

func (ms *Store) GetPaymentMethod(ctx context.Context, id string) (*coffer.PaymentMethod, error) {
	r0, err := ms.next.GetPaymentMethod(ctx, id)
	ms.failed("GetPaymentMethod", err)
	return r0, err
}

func (ms *Store) ListPaymentMethods(ctx context.Context, accountID string) ([]*coffer.PaymentMethod, error) {
	r0, err := ms.next.ListPaymentMethods(ctx, accountID)
	ms.failed("ListPaymentMethods", err)
	return r0, err
}

func (ms *Store) UpdatePaymentMethod(ctx context.Context, id string, fn func(*coffer.PaymentMethod) error, idem *store.Idempotency) (*coffer.PaymentMethod, error) {
	r0, err := ms.next.UpdatePaymentMethod(ctx, id, fn, idem)
	ms.failed("UpdatePaymentMethod", err)
	return r0, err
}

func (ms *Store) CreatePayment(ctx context.Context, p *coffer.Payment) (*coffer.Payment, bool, error) {
	r0, r1, err := ms.next.CreatePayment(ctx, p)
	ms.failed("CreatePayment", err)
	return r0, r1, err
}

func (ms *Store) GetPayment(ctx context.Context, id string) (*coffer.Payment, error) {
	r0, err := ms.next.GetPayment(ctx, id)
	ms.failed("GetPayment", err)
	return r0, err
}

func (ms *Store) ListPayments(ctx context.Context, accountID string, source coffer.PaymentSource, p store.Page) ([]*coffer.Payment, bool, error) {
	r0, r1, err := ms.next.ListPayments(ctx, accountID, source, p)
	ms.failed("ListPayments", err)
	return r0, r1, err
}

func (ms *Store) OpenPayments(ctx context.Context, limit int) ([]*coffer.Payment, error) {
	r0, err := ms.next.OpenPayments(ctx, limit)
	ms.failed("OpenPayments", err)
	return r0, err
}

func (ms *Store) GetAutoRecharge(ctx context.Context, accountID string) (*coffer.AutoRecharge, error) {
	r0, err := ms.next.GetAutoRecharge(ctx, accountID)
	ms.failed("GetAutoRecharge", err)
	return r0, err
}

func (ms *Store) UpdateAutoRecharge(ctx context.Context, accountID string, fn func(*coffer.AutoRecharge, *coffer.Account) ([]ledger.Event, error), idem *store.Idempotency) (*coffer.AutoRecharge, error) {
	r0, err := ms.next.UpdateAutoRecharge(ctx, accountID, fn, idem)
	ms.failed("UpdateAutoRecharge", err)
	return r0, err
}

func (ms *Store) ClaimRecharge(ctx context.Context, accountID string, token string, now time.Time, until time.Time) (bool, error) {
	r0, err := ms.next.ClaimRecharge(ctx, accountID, token, now, until)
	ms.failed("ClaimRecharge", err)
	return r0, err
}

func (ms *Store) StartRecharge(ctx context.Context, p *coffer.Payment, token string, now time.Time, fn func(*coffer.AutoRecharge) (bool, error)) (bool, error) {
	r0, err := ms.next.StartRecharge(ctx, p, token, now, fn)
	ms.failed("StartRecharge", err)
	return r0, err
}

func (ms *Store) ReleaseRecharge(ctx context.Context, accountID string, token string) error {
	err := ms.next.ReleaseRecharge(ctx, accountID, token)
	ms.failed("ReleaseRecharge", err)
	return err
}

func (ms *Store) RechargeCandidates(ctx context.Context, limit int) ([]string, error) {
	r0, err := ms.next.RechargeCandidates(ctx, limit)
	ms.failed("RechargeCandidates", err)
	return r0, err
}

func (ms *Store) CreateSchedule(ctx context.Context, s *coffer.Schedule, idem *store.Idempotency) error {
	err := ms.next.CreateSchedule(ctx, s, idem)
	ms.failed("CreateSchedule", err)
	return err
}

func (ms *Store) GetSchedule(ctx context.Context, id string) (*coffer.Schedule, error) {
	r0, err := ms.next.GetSchedule(ctx, id)
	ms.failed("GetSchedule", err)
	return r0, err
}

func (ms *Store) ListSchedules(ctx context.Context, accountID string) ([]*coffer.Schedule, error) {
	r0, err := ms.next.ListSchedules(ctx, accountID)
	ms.failed("ListSchedules", err)
	return r0, err
}

func (ms *Store) UpdateSchedule(ctx context.Context, id string, fn func(*coffer.Schedule) error, idem *store.Idempotency) (*coffer.Schedule, error) {
	r0, err := ms.next.UpdateSchedule(ctx, id, fn, idem)
	ms.failed("UpdateSchedule", err)
	return r0, err
}

func (ms *Store) SchedulesDue(ctx context.Context, now time.Time, limit int) ([]*coffer.Schedule, error) {
	r0, err := ms.next.SchedulesDue(ctx, now, limit)
	ms.failed("SchedulesDue", err)
	return r0, err
}

func (ms *Store) GetAlertSettings(ctx context.Context, accountID string) (*coffer.AlertSettings, error) {
	r0, err := ms.next.GetAlertSettings(ctx, accountID)
	ms.failed("GetAlertSettings", err)
	return r0, err
}

func (ms *Store) PutAlertSettings(ctx context.Context, s *coffer.AlertSettings) error {
	err := ms.next.PutAlertSettings(ctx, s)
	ms.failed("PutAlertSettings", err)
	return err
}

func (ms *Store) AccountsToRecommend(ctx context.Context, before time.Time, after string, limit int) ([]string, error) {
	r0, err := ms.next.AccountsToRecommend(ctx, before, after, limit)
	ms.failed("AccountsToRecommend", err)
	return r0, err
}

func (ms *Store) UsageBetween(ctx context.Context, accountIDs []string, from time.Time, to time.Time) (map[string]money.Amount, error) {
	r0, err := ms.next.UsageBetween(ctx, accountIDs, from, to)
	ms.failed("UsageBetween", err)
	return r0, err
}

func (ms *Store) SaveRecommendations(ctx context.Context, recs []coffer.Recommendation, now time.Time) error {
	err := ms.next.SaveRecommendations(ctx, recs, now)
	ms.failed("SaveRecommendations", err)
	return err
}

func (ms *Store) CreateWebhookEndpoint(ctx context.Context, e *coffer.WebhookEndpoint, idem *store.Idempotency) error {
	err := ms.next.CreateWebhookEndpoint(ctx, e, idem)
	ms.failed("CreateWebhookEndpoint", err)
	return err
}

func (ms *Store) GetWebhookEndpoint(ctx context.Context, id string) (*coffer.WebhookEndpoint, error) {
	r0, err := ms.next.GetWebhookEndpoint(ctx, id)
	ms.failed("GetWebhookEndpoint", err)
	return r0, err
}

func (ms *Store) ListWebhookEndpoints(ctx context.Context, p store.Page) ([]*coffer.WebhookEndpoint, bool, error) {
	r0, r1, err := ms.next.ListWebhookEndpoints(ctx, p)
	ms.failed("ListWebhookEndpoints", err)
	return r0, r1, err
}

func (ms *Store) UpdateWebhookEndpoint(ctx context.Context, id string, fn func(*coffer.WebhookEndpoint) error, idem *store.Idempotency) (*coffer.WebhookEndpoint, error) {
	r0, err := ms.next.UpdateWebhookEndpoint(ctx, id, fn, idem)
	ms.failed("UpdateWebhookEndpoint", err)
	return r0, err
}

func (ms *Store) DeleteWebhookEndpoint(ctx context.Context, id string, now time.Time) error {
	err := ms.next.DeleteWebhookEndpoint(ctx, id, now)
	ms.failed("DeleteWebhookEndpoint", err)
	return err
}

func (ms *Store) GetEvent(ctx context.Context, id string) (*ledger.Event, error) {
	r0, err := ms.next.GetEvent(ctx, id)
	ms.failed("GetEvent", err)
	return r0, err
}

func (ms *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]*ledger.Event, bool, error) {
	r0, r1, err := ms.next.ListEvents(ctx, f)
	ms.failed("ListEvents", err)
	return r0, r1, err
}

func (ms *Store) DispatchEvents(ctx context.Context, now time.Time, limit int, route store.Router) (int, error) {
	r0, err := ms.next.DispatchEvents(ctx, now, limit, route)
	ms.failed("DispatchEvents", err)
	return r0, err
}

func (ms *Store) ScheduleDeliveries(ctx context.Context, ds []*coffer.Delivery) error {
	err := ms.next.ScheduleDeliveries(ctx, ds)
	ms.failed("ScheduleDeliveries", err)
	return err
}

func (ms *Store) ClaimDeliveries(ctx context.Context, now time.Time, leaseUntil time.Time, limit int) ([]*coffer.Delivery, error) {
	r0, err := ms.next.ClaimDeliveries(ctx, now, leaseUntil, limit)
	ms.failed("ClaimDeliveries", err)
	return r0, err
}

func (ms *Store) ListDeliveries(ctx context.Context, eventID string) ([]*coffer.Delivery, map[string][]*coffer.Attempt, error) {
	r0, r1, err := ms.next.ListDeliveries(ctx, eventID)
	ms.failed("ListDeliveries", err)
	return r0, r1, err
}

func (ms *Store) ListEndpointDeliveries(ctx context.Context, endpointID string, p store.Page) ([]*coffer.Delivery, bool, map[string][]*coffer.Attempt, error) {
	r0, r1, r2, err := ms.next.ListEndpointDeliveries(ctx, endpointID, p)
	ms.failed("ListEndpointDeliveries", err)
	return r0, r1, r2, err
}

func (ms *Store) GetInvoice(ctx context.Context, id string) (*invoice.Invoice, error) {
	r0, err := ms.next.GetInvoice(ctx, id)
	ms.failed("GetInvoice", err)
	return r0, err
}

func (ms *Store) ListInvoices(ctx context.Context, f store.InvoiceFilter) ([]*invoice.Invoice, bool, error) {
	r0, r1, err := ms.next.ListInvoices(ctx, f)
	ms.failed("ListInvoices", err)
	return r0, r1, err
}

func (ms *Store) UnpaidInvoices(ctx context.Context, accountID string) ([]*invoice.Invoice, error) {
	r0, err := ms.next.UnpaidInvoices(ctx, accountID)
	ms.failed("UnpaidInvoices", err)
	return r0, err
}

func (ms *Store) AccountsToClose(ctx context.Context, end time.Time, afterID string, limit int) ([]string, error) {
	r0, err := ms.next.AccountsToClose(ctx, end, afterID, limit)
	ms.failed("AccountsToClose", err)
	return r0, err
}

func (ms *Store) InvoicesDue(ctx context.Context, now time.Time, limit int) ([]*invoice.Invoice, error) {
	r0, err := ms.next.InvoicesDue(ctx, now, limit)
	ms.failed("InvoicesDue", err)
	return r0, err
}

func (ms *Store) UpdateInvoice(ctx context.Context, id string, fn func(*store.InvoiceChange) error) (*invoice.Invoice, error) {
	r0, err := ms.next.UpdateInvoice(ctx, id, fn)
	ms.failed("UpdateInvoice", err)
	return r0, err
}

func (ms *Store) CreateProgram(ctx context.Context, p *program.Program, idem *store.Idempotency) error {
	err := ms.next.CreateProgram(ctx, p, idem)
	ms.failed("CreateProgram", err)
	return err
}

func (ms *Store) GetProgram(ctx context.Context, id string) (*program.Program, error) {
	r0, err := ms.next.GetProgram(ctx, id)
	ms.failed("GetProgram", err)
	return r0, err
}

func (ms *Store) ListPrograms(ctx context.Context, p store.Page) ([]*program.Program, bool, error) {
	r0, r1, err := ms.next.ListPrograms(ctx, p)
	ms.failed("ListPrograms", err)
	return r0, r1, err
}

func (ms *Store) UpdateProgram(ctx context.Context, id string, fn func(*program.Program) error, idem *store.Idempotency) (*program.Program, error) {
	r0, err := ms.next.UpdateProgram(ctx, id, fn, idem)
	ms.failed("UpdateProgram", err)
	return r0, err
}

func (ms *Store) CreateEnrollment(ctx context.Context, e *program.Enrollment, idem *store.Idempotency) error {
	err := ms.next.CreateEnrollment(ctx, e, idem)
	ms.failed("CreateEnrollment", err)
	return err
}

func (ms *Store) GetEnrollment(ctx context.Context, id string) (*program.Enrollment, error) {
	r0, err := ms.next.GetEnrollment(ctx, id)
	ms.failed("GetEnrollment", err)
	return r0, err
}

func (ms *Store) ActiveEnrollment(ctx context.Context, accountID string) (*program.Enrollment, error) {
	r0, err := ms.next.ActiveEnrollment(ctx, accountID)
	ms.failed("ActiveEnrollment", err)
	return r0, err
}

func (ms *Store) ListEnrollments(ctx context.Context, programID string, p store.Page) ([]*program.Enrollment, bool, error) {
	r0, r1, err := ms.next.ListEnrollments(ctx, programID, p)
	ms.failed("ListEnrollments", err)
	return r0, r1, err
}

func (ms *Store) UpdateEnrollment(ctx context.Context, id string, fn func(*program.Enrollment) error, idem *store.Idempotency) (*program.Enrollment, error) {
	r0, err := ms.next.UpdateEnrollment(ctx, id, fn, idem)
	ms.failed("UpdateEnrollment", err)
	return r0, err
}

func (ms *Store) ScanTxns(ctx context.Context, s store.TxnScan, fn func(*ledger.Txn) error) error {
	err := ms.next.ScanTxns(ctx, s, fn)
	ms.failed("ScanTxns", err)
	return err
}

func (ms *Store) ScanLots(ctx context.Context, s store.LotScan, fn func(*ledger.Lot) error) error {
	err := ms.next.ScanLots(ctx, s, fn)
	ms.failed("ScanLots", err)
	return err
}

func (ms *Store) LotSumsAt(ctx context.Context, accountID string, at time.Time) (map[string]money.Amount, error) {
	r0, err := ms.next.LotSumsAt(ctx, accountID, at)
	ms.failed("LotSumsAt", err)
	return r0, err
}

func (ms *Store) SumPeriods(ctx context.Context, accountID string, from time.Time, ends []time.Time) ([]store.PeriodSums, error) {
	r0, err := ms.next.SumPeriods(ctx, accountID, from, ends)
	ms.failed("SumPeriods", err)
	return r0, err
}

func (ms *Store) Check(ctx context.Context) ([]store.Violation, error) {
	r0, err := ms.next.Check(ctx)
	ms.failed("Check", err)
	return r0, err
}

func (ms *Store) SearchAccounts(ctx context.Context, f store.AccountFilter) ([]*coffer.Account, bool, error) {
	r0, r1, err := ms.next.SearchAccounts(ctx, f)
	ms.failed("SearchAccounts", err)
	return r0, r1, err
}

func (ms *Store) CreateUser(ctx context.Context, u *coffer.User, audit ...*coffer.AuditEvent) error {
	err := ms.next.CreateUser(ctx, u, audit...)
	ms.failed("CreateUser", err)
	return err
}

func (ms *Store) GetUser(ctx context.Context, id string) (*coffer.User, error) {
	r0, err := ms.next.GetUser(ctx, id)
	ms.failed("GetUser", err)
	return r0, err
}

func (ms *Store) GetUserByEmail(ctx context.Context, email string) (*coffer.User, error) {
	r0, err := ms.next.GetUserByEmail(ctx, email)
	ms.failed("GetUserByEmail", err)
	return r0, err
}

func (ms *Store) ListUsers(ctx context.Context, p store.Page) ([]*coffer.User, bool, error) {
	r0, r1, err := ms.next.ListUsers(ctx, p)
	ms.failed("ListUsers", err)
	return r0, r1, err
}

func (ms *Store) CountUsers(ctx context.Context) (int, error) {
	r0, err := ms.next.CountUsers(ctx)
	ms.failed("CountUsers", err)
	return r0, err
}

func (ms *Store) UpdateUser(ctx context.Context, id string, fn func(*coffer.User) ([]*coffer.AuditEvent, error)) (*coffer.User, error) {
	r0, err := ms.next.UpdateUser(ctx, id, fn)
	ms.failed("UpdateUser", err)
	return r0, err
}

func (ms *Store) CreateSession(ctx context.Context, s *coffer.Session, audit ...*coffer.AuditEvent) error {
	err := ms.next.CreateSession(ctx, s, audit...)
	ms.failed("CreateSession", err)
	return err
}

func (ms *Store) GetSessionByHash(ctx context.Context, hash []byte) (*coffer.Session, error) {
	r0, err := ms.next.GetSessionByHash(ctx, hash)
	ms.failed("GetSessionByHash", err)
	return r0, err
}

func (ms *Store) TouchSession(ctx context.Context, id string, seen, idleUntil time.Time) error {
	err := ms.next.TouchSession(ctx, id, seen, idleUntil)
	ms.failed("TouchSession", err)
	return err
}

func (ms *Store) DeleteSession(ctx context.Context, id string, audit ...*coffer.AuditEvent) error {
	err := ms.next.DeleteSession(ctx, id, audit...)
	ms.failed("DeleteSession", err)
	return err
}

func (ms *Store) RecordAudit(ctx context.Context, events ...*coffer.AuditEvent) error {
	err := ms.next.RecordAudit(ctx, events...)
	ms.failed("RecordAudit", err)
	return err
}

func (ms *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]*coffer.AuditEvent, bool, error) {
	r0, r1, err := ms.next.ListAudit(ctx, f)
	ms.failed("ListAudit", err)
	return r0, r1, err
}
