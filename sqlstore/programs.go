package sqlstore

import (
	"context"
	"fmt"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// Programs and enrollments: the columns are what queries filter, lock or
// keep unique on; the rest of each record is JSON in data
// (migrations/*/00008_programs.sql).

func programStmt(p *program.Program, insert bool) (stmt, error) {
	data, err := encodeData(p)
	if err != nil {
		return stmt{}, err
	}
	if insert {
		return stmt{sql: "INSERT INTO programs (id, data, created_at) VALUES ($1, $2, $3)",
			args: []any{p.ID, data, micros(p.CreatedAt)}}, nil
	}
	return stmt{sql: "UPDATE programs SET data = $2 WHERE id = $1", args: []any{p.ID, data}}, nil
}

// CreateProgram implements store.Programs.
func (s *Store) CreateProgram(ctx context.Context, p *program.Program, idem *store.Idempotency) error {
	ins, err := programStmt(p, true)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t tx) error { return t.pipeline(ctx, append([]stmt{ins}, idemStmts(idem)...)) })
}

// GetProgram implements store.Programs.
func (s *Store) GetProgram(ctx context.Context, id string) (*program.Program, error) {
	return one[program.Program](ctx, s.eng.pool(false), "program", id, "SELECT data FROM programs WHERE id = $1", id)
}

// ListPrograms implements store.Programs.
func (s *Store) ListPrograms(ctx context.Context, p store.Page) ([]*program.Program, bool, error) {
	limit := pageLimit(p)
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf("SELECT data FROM programs WHERE id > $1 ORDER BY id LIMIT %d", limit+1), p.StartingAfter)
	if err != nil {
		return nil, false, err
	}
	return scanData[program.Program](r, limit)
}

// UpdateProgram implements store.Programs.
func (s *Store) UpdateProgram(ctx context.Context, id string, fn func(*program.Program) error, idem *store.Idempotency) (*program.Program, error) {
	var out *program.Program
	err := s.write(ctx, func(t tx) error {
		p, err := one[program.Program](ctx, t, "program", id, "SELECT data FROM programs WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		p.ID = id
		up, err := programStmt(p, false)
		if err != nil {
			return err
		}
		out = p
		return t.pipeline(ctx, append([]stmt{up}, idemStmts(idem)...))
	})
	return out, err
}

func enrollmentStmt(e *program.Enrollment, insert bool) (stmt, error) {
	data, err := encodeData(e)
	if err != nil {
		return stmt{}, err
	}
	if insert {
		return stmt{sql: `INSERT INTO enrollments (id, program_id, account_id, status, credit_last_applied, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			args: []any{e.ID, e.ProgramID, e.AccountID, string(e.Status), nullMicros(e.CreditLastApplied), data, micros(e.CreatedAt)}}, nil
	}
	return stmt{sql: "UPDATE enrollments SET status = $2, credit_last_applied = $3, data = $4 WHERE id = $1",
		args: []any{e.ID, string(e.Status), nullMicros(e.CreditLastApplied), data}}, nil
}

// CreateEnrollment implements store.Programs.
func (s *Store) CreateEnrollment(ctx context.Context, e *program.Enrollment, idem *store.Idempotency) error {
	ins, err := enrollmentStmt(e, true)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(t tx) error {
		if _, err := getAccount(ctx, t, e.AccountID, s.d.forUpdate); err != nil {
			return err
		}
		return t.pipeline(ctx, append([]stmt{ins}, idemStmts(idem)...))
	})
	if key, ok := uniqueViolation(err); ok && key == "enrollments(account_id)" {
		return coffer.Errorf(coffer.EConflict, "account %s is already enrolled in a program; unenroll it first", e.AccountID)
	}
	return err
}

// GetEnrollment implements store.Programs.
func (s *Store) GetEnrollment(ctx context.Context, id string) (*program.Enrollment, error) {
	return one[program.Enrollment](ctx, s.eng.pool(false), "enrollment", id, "SELECT data FROM enrollments WHERE id = $1", id)
}

// ActiveEnrollment implements store.Programs.
func (s *Store) ActiveEnrollment(ctx context.Context, accountID string) (*program.Enrollment, error) {
	return one[program.Enrollment](ctx, s.eng.pool(false), "active enrollment of account", accountID,
		"SELECT data FROM enrollments WHERE account_id = $1 AND status = 'active'", accountID)
}

// ListEnrollments implements store.Programs.
func (s *Store) ListEnrollments(ctx context.Context, programID string, p store.Page) ([]*program.Enrollment, bool, error) {
	limit := pageLimit(p)
	q, args := "SELECT data FROM enrollments WHERE program_id = $1 AND id > $2", []any{programID, p.StartingAfter}
	if programID == "" {
		q, args = "SELECT data FROM enrollments WHERE status = 'active' AND id > $1", []any{p.StartingAfter}
	}
	r, err := s.eng.pool(false).query(ctx, fmt.Sprintf(q+" ORDER BY id LIMIT %d", limit+1), args...)
	if err != nil {
		return nil, false, err
	}
	return scanData[program.Enrollment](r, limit)
}

// UpdateEnrollment implements store.Programs.
func (s *Store) UpdateEnrollment(ctx context.Context, id string, fn func(*program.Enrollment) error, idem *store.Idempotency) (*program.Enrollment, error) {
	var out *program.Enrollment
	err := s.write(ctx, func(t tx) error {
		e, err := one[program.Enrollment](ctx, t, "enrollment", id, "SELECT data FROM enrollments WHERE id = $1"+s.d.forUpdate, id)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		e.ID = id
		up, err := enrollmentStmt(e, false)
		if err != nil {
			return err
		}
		out = e
		return t.pipeline(ctx, append([]stmt{up}, idemStmts(idem)...))
	})
	return out, err
}
