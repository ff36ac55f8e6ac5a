package store

import (
	"context"

	"github.com/cofferdev/coffer/program"
)

// Programs keeps gifted-credit programs and their enrollments. The gift
// itself is a lot on the ledger, written through Batch like any other.
type Programs interface {
	CreateProgram(ctx context.Context, p *program.Program, idem *Idempotency) error
	GetProgram(ctx context.Context, id string) (*program.Program, error)
	ListPrograms(ctx context.Context, p Page) ([]*program.Program, bool, error)
	// UpdateProgram locks the program, lets fn change it, and saves it.
	UpdateProgram(ctx context.Context, id string, fn func(*program.Program) error, idem *Idempotency) (*program.Program, error)

	// CreateEnrollment inserts an enrollment; an account already in a
	// program is refused with EConflict.
	CreateEnrollment(ctx context.Context, e *program.Enrollment, idem *Idempotency) error
	GetEnrollment(ctx context.Context, id string) (*program.Enrollment, error)
	// ActiveEnrollment is the account's enrollment in a program, or
	// ENotFound.
	ActiveEnrollment(ctx context.Context, accountID string) (*program.Enrollment, error)
	// ListEnrollments lists a program's enrollments, oldest first; with an
	// empty programID, every active enrollment of every program.
	ListEnrollments(ctx context.Context, programID string, p Page) ([]*program.Enrollment, bool, error)
	// UpdateEnrollment locks the enrollment, lets fn change it, and saves
	// it.
	UpdateEnrollment(ctx context.Context, id string, fn func(*program.Enrollment) error, idem *Idempotency) (*program.Enrollment, error)
}
