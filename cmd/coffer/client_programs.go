package main

import (
	"cmp"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// programsCmd is the client command for gifted-credit programs: make,
// read and change them, and enrol and unenrol accounts.
func programsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "programs", Short: "Create and change gifted-credit programs; enrol and unenrol accounts (admin key)"}
	cmd.AddCommand(programsCreateCmd(e), programsListCmd(e), programsShowCmd(e), programsUpdateCmd(e),
		programsEnrollCmd(e), programsEnrollmentsCmd(e), programsUnenrollCmd(e))
	return cmd
}

// programFields are the flags create and update share. The levels left
// out are not sent: create gives them the reference program's values,
// update keeps them.
type programFields struct {
	name, endsOn                       string
	requiresPaymentMethod              bool
	gift                               amountFlag
	apBalanceWithCredits, apBalance    amountFlag
	paymentMethodRequiredAt, suspendAt amountFlag
	afterThreshold, afterTarget        amountFlag
}

// addFlags adds the shared flags. On create a flag left out takes the
// server's default, which the help states; on update it keeps the
// program's value.
func (p *programFields) addFlags(cmd *cobra.Command, create bool) {
	def := func(usage, value string) string {
		if create {
			return usage + " (default " + value + ")"
		}
		return usage
	}
	f := cmd.Flags()
	f.StringVar(&p.name, "name", "", "program name")
	if create {
		f.Var(&p.gift, "gift", "the gift each account enrolled gets")
		f.StringVar(&p.endsOn, "ends-on", "", "the last month credited, as YYYY-MM; what is left of the gift then expires (default: no end)")
	} else {
		f.Var(&p.gift, "gift", "the gift each account enrolled from now on gets")
		f.StringVar(&p.endsOn, "ends-on", "", `the last month credited, as YYYY-MM; "" for no end`)
	}
	// The server requires a payment method unless told otherwise; the
	// flag is sent only when given.
	f.BoolVar(&p.requiresPaymentMethod, "requires-payment-method", create,
		"refuse to enrol an account without a card or PayPal account, and lock its auto-recharge on")
	f.Var(&p.apBalanceWithCredits, "auto-payment-balance-with-credits", def("auto-payment starts when the balance with credits falls to this", "0.00"))
	f.Var(&p.apBalance, "auto-payment-balance", def("auto-payment starts when the balance falls to this", "-500.00"))
	f.Var(&p.paymentMethodRequiredAt, "payment-method-required-at", def("after a failed payment, at this balance the owner is asked for a valid payment method", "-505.00"))
	f.Var(&p.suspendAt, "suspend-at", def("at this balance, with the payment failing, the account is suspended", "-510.00"))
	f.Var(&p.afterThreshold, "after-exhaustion-threshold", def("once the gift is used up, auto-recharge when the balance falls below this", "10.00"))
	f.Var(&p.afterTarget, "after-exhaustion-target", def("once the gift is used up, auto-recharge up to this balance", "20.00"))
}

// autoPayment is the auto-payment levels given, or nil when neither was.
func (p *programFields) autoPayment() *api.ProgramAutoPaymentChange {
	if !p.apBalanceWithCredits.set && !p.apBalance.set {
		return nil
	}
	return &api.ProgramAutoPaymentChange{BalanceWithCredits: p.apBalanceWithCredits.ptr(), Balance: p.apBalance.ptr()}
}

// afterExhaustion is the after-exhaustion auto-recharge given, or nil
// when neither of its flags was.
func (p *programFields) afterExhaustion() *api.ProgramRechargeChange {
	if !p.afterThreshold.set && !p.afterTarget.set {
		return nil
	}
	return &api.ProgramRechargeChange{Threshold: p.afterThreshold.ptr(), Target: p.afterTarget.ptr()}
}

func programsCreateCmd(e *clientEnv) *cobra.Command {
	var (
		p                  programFields
		startsOn, currency string
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME --gift AMOUNT --starts-on YYYY-MM [--ends-on YYYY-MM] [flags]",
		Short: "Create a gifted-credit program",
		Long: "Create a program. Each account enrolled gets --gift, and on the 1st of each\n" +
			"month of the credited period (--starts-on to --ends-on, or no end) the\n" +
			"previous month's usage is credited from it, up to what is left. Levels not\n" +
			"given take the reference program's: auto-payment at a balance with credits\n" +
			"of 0.00 or a balance of -500.00, a payment method asked for at -505.00,\n" +
			"suspension at -510.00, and once the gift is used up a refill to 20.00 below\n" +
			"10.00.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.ProgramCreate{
				Name: p.name, Currency: strings.ToUpper(currency), Gift: p.gift.v, StartsOn: startsOn, EndsOn: p.endsOn,
				RequiresPaymentMethod:   changed(cmd, "requires-payment-method", p.requiresPaymentMethod),
				AutoPayment:             p.autoPayment(),
				PaymentMethodRequiredAt: p.paymentMethodRequiredAt.ptr(),
				SuspendAt:               p.suspendAt.ptr(),
				AfterExhaustion:         p.afterExhaustion(),
			}
			v, err := e.client().CreateProgram(cmd.Context(), in, e.call()...)
			return show(e, cmd, v, err, printProgram)
		},
	}
	p.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&startsOn, "starts-on", "", "the first month credited, as YYYY-MM")
	f.StringVar(&currency, "currency", "", "ISO 4217 currency (default: the server's)")
	for _, n := range []string{"name", "gift", "starts-on"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

func programsListCmd(e *clientEnv) *cobra.Command {
	var lp client.ListParams
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List programs, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListPrograms(cmd.Context(), lp)
			return showList(e, cmd, l, err,
				[]string{"ID", "NAME", "CURRENCY", "GIFT", "CREDITED PERIOD", "PAYMENT METHOD REQUIRED", "CREATED"},
				func(p api.Program) []string {
					return []string{p.ID, p.Name, p.Currency, p.Gift.String(), programPeriod(p.StartsOn, p.EndsOn),
						fmtBool(p.RequiresPaymentMethod), fmtTime(p.CreatedAt)}
				})
		},
	}
	addPageFlags(cmd.Flags(), &lp)
	return cmd
}

func programsShowCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:     "show PROGRAM",
		Aliases: []string{"get"},
		Short:   "Show a program: its gift, credited period and levels",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().GetProgram(cmd.Context(), args[0])
			return show(e, cmd, v, err, printProgram)
		},
	}
}

func programsUpdateCmd(e *clientEnv) *cobra.Command {
	var p programFields
	cmd := &cobra.Command{
		Use:   "update PROGRAM [flags]",
		Short: "Change a program; only the flags given change",
		Long: "Change a program; only the flags given change. Accounts enrolled already keep\n" +
			"their gift and credited period; new levels reach them at their next true-up.\n" +
			"A program's currency and first month cannot be changed.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.ProgramUpdate{
				Name:                    changed(cmd, "name", p.name),
				Gift:                    p.gift.ptr(),
				EndsOn:                  changed(cmd, "ends-on", p.endsOn),
				RequiresPaymentMethod:   changed(cmd, "requires-payment-method", p.requiresPaymentMethod),
				AutoPayment:             p.autoPayment(),
				PaymentMethodRequiredAt: p.paymentMethodRequiredAt.ptr(),
				SuspendAt:               p.suspendAt.ptr(),
				AfterExhaustion:         p.afterExhaustion(),
			}
			v, err := e.client().UpdateProgram(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, v, err, printProgram)
		},
	}
	p.addFlags(cmd, false)
	return cmd
}

func programsEnrollCmd(e *clientEnv) *cobra.Command {
	var in api.EnrollmentCreate
	cmd := &cobra.Command{
		Use:   "enroll PROGRAM --account ACCOUNT",
		Short: "Enrol an account in a program: it gets the program's gift",
		Long: "Enrol an account: it gets the program's gift, its floor becomes the program's\n" +
			"suspension level and its auto-recharge follows the program's levels. Refused\n" +
			"while the program requires a payment method and the account has none.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().Enroll(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, v, err, printEnrollment)
		},
	}
	cmd.Flags().StringVar(&in.AccountID, "account", "", "the account to enrol")
	_ = cmd.MarkFlagRequired("account")
	return cmd
}

func programsEnrollmentsCmd(e *clientEnv) *cobra.Command {
	var lp client.ListParams
	cmd := &cobra.Command{
		Use:   "enrollments PROGRAM",
		Short: "List a program's enrollments, oldest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListEnrollments(cmd.Context(), args[0], lp)
			return showList(e, cmd, l, err,
				[]string{"ID", "ACCOUNT", "STATUS", "GIFT", "REMAINING", "CREDITED PERIOD", "LAST CREDITED", "CREATED", "ENDED"},
				func(en api.Enrollment) []string {
					return []string{en.ID, en.AccountID, en.Status, en.Gift.Original.String(), en.Gift.Remaining.String(),
						en.Gift.CreditedPeriod, en.Gift.CreditLastApplied, fmtTime(en.CreatedAt), fmtOptTime(en.EndedAt, "")}
				})
		},
	}
	addPageFlags(cmd.Flags(), &lp)
	return cmd
}

func programsUnenrollCmd(e *clientEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "unenroll ENROLLMENT",
		Short: "End an enrollment: what is left of the gift is voided",
		Long: "End an enrollment: the true-up stops, what is left of the gift is voided, the\n" +
			"account's floor and credit limit are given back and the program's\n" +
			"auto-recharge is turned off.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().Unenroll(cmd.Context(), args[0], e.call()...)
			return show(e, cmd, v, err, printEnrollment)
		},
	}
}

// programPeriod is a credited period as the server words a gift's:
// "2026-01 to 2026-12", or "from 2026-01" with no end.
func programPeriod(startsOn, endsOn string) string {
	if endsOn == "" {
		return "from " + startsOn
	}
	return startsOn + " to " + endsOn
}

// printProgram shows a program, its levels in words.
func printProgram(w io.Writer, p *api.Program) {
	amt := func(a money.Amount) string { return a.String() + " " + p.Currency }
	line(w, "ID", p.ID)
	line(w, "Name", p.Name)
	line(w, "Currency", p.Currency)
	line(w, "Gift", amt(p.Gift))
	line(w, "Credited period", programPeriod(p.StartsOn, p.EndsOn))
	if p.EndsOn == "" {
		line(w, "Gift expires", "never")
	} else {
		line(w, "Gift expires", "what is left once "+p.EndsOn+" is credited")
	}
	if p.RequiresPaymentMethod {
		line(w, "Payment method", "required to enrol; auto-recharge locked on")
	} else {
		line(w, "Payment method", "not required")
	}
	line(w, "Auto-payment", "when the balance with credits falls to "+amt(p.AutoPayment.BalanceWithCredits)+
		" or the balance to "+amt(p.AutoPayment.Balance))
	line(w, "Payment method asked", "after a failed payment, at a balance of "+amt(p.PaymentMethodRequiredAt))
	line(w, "Suspension", "with the payment failing, at a balance of "+amt(p.SuspendAt))
	line(w, "After the gift", "auto-recharge to "+amt(p.AfterExhaustion.Target)+" when the balance falls below "+
		amt(p.AfterExhaustion.Threshold))
	line(w, "Created", fmtTime(p.CreatedAt))
	line(w, "Updated", fmtTime(p.UpdatedAt))
}

// printEnrollment shows an enrollment and its gift.
func printEnrollment(w io.Writer, en *api.Enrollment) {
	line(w, "ID", en.ID)
	line(w, "Program", en.ProgramID)
	line(w, "Account", en.AccountID)
	line(w, "Status", en.Status)
	line(w, "Grant", en.GrantID)
	line(w, "Original gift", en.Gift.Original.String())
	line(w, "Gift remaining", en.Gift.Remaining.String())
	line(w, "Credited period", en.Gift.CreditedPeriod)
	line(w, "Credit last applied", cmp.Or(en.Gift.CreditLastApplied, "not yet"))
	if en.ExhaustedAt != nil {
		line(w, "Used up", fmtTime(*en.ExhaustedAt))
	}
	line(w, "Created", fmtTime(en.CreatedAt))
	if en.EndedAt != nil {
		line(w, "Ended", fmtTime(*en.EndedAt))
	}
}
