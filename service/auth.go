package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
)

// keyPrefix starts every API key secret, so a leaked key is recognisable by
// secret scanners.
const keyPrefix = "ck_"

// newSecret returns 256 random bits, URL-safe base64 encoded.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("service: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSecret is how secrets are stored: their SHA-256. A 256-bit random
// secret needs no salt or slow hash; a slow hash would only tax the hot path.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateAPIKey makes an API key and returns its secret, which is shown once
// and never stored. An account key needs the account it is bound to. This
// is the bootstrap path (`coffer keys create`, the first admin key); the
// API's is CreateAPIKeyCall.
func (s *Service) CreateAPIKey(ctx context.Context, role coffer.Role, accountID, name string) (string, *coffer.APIKey, error) {
	secret, k, err := s.newAPIKey(ctx, role, accountID, name, time.Time{})
	if err != nil {
		return "", nil, err
	}
	if err := s.store.CreateAPIKey(ctx, k, nil); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// newAPIKey checks a key's role and account and makes it with its secret.
func (s *Service) newAPIKey(ctx context.Context, role coffer.Role, accountID, name string, expiresAt time.Time) (string, *coffer.APIKey, error) {
	switch role {
	case coffer.RoleAdmin, coffer.RoleUsage:
		if accountID != "" {
			return "", nil, coffer.Invalid("account_id", "applies only to account keys")
		}
	case coffer.RoleAccount:
		if accountID == "" {
			return "", nil, coffer.Invalid("account_id", "is required for an account key: the account it may act on (acct_…)")
		}
		if err := coffer.CheckID("account_id", coffer.PrefixAccount, accountID); err != nil {
			return "", nil, err
		}
		if _, err := s.store.GetAccount(ctx, accountID); err != nil {
			return "", nil, err
		}
	default:
		return "", nil, coffer.Invalid("role", "must be admin, usage or account, got %q", role)
	}
	if err := checkText("name", name, maxName); err != nil {
		return "", nil, err
	}
	secret := keyPrefix + string(role) + "_" + newSecret()
	now := s.now()
	k := &coffer.APIKey{ID: s.ids.New(coffer.PrefixKey, now), Role: role, AccountID: accountID,
		Name: name, Hash: hashSecret(secret), CreatedAt: now, ExpiresAt: expiresAt}
	return secret, k, nil
}

// EnsureAdminKey creates an admin key if the store has no key at all, so a
// new deployment can be used at once. It returns the secret, or "" when
// keys already exist.
func (s *Service) EnsureAdminKey(ctx context.Context) (string, error) {
	n, err := s.store.CountAPIKeys(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	secret, _, err := s.CreateAPIKey(ctx, coffer.RoleAdmin, "", "initial admin key")
	return secret, err
}

func unauthenticated() error {
	return coffer.Errorf(coffer.EUnauthenticated,
		"missing or invalid credentials: send \"Authorization: Bearer <api key>\" or a subaccount's auth id and token with HTTP Basic")
}

// Authenticate resolves a bearer API key. An expired or revoked key is
// refused with a message that says so: its holder must learn to switch.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Caller, error) {
	if !strings.HasPrefix(bearer, keyPrefix) {
		return nil, unauthenticated()
	}
	hash := hashSecret(bearer)
	l := s.keys.get(hash)
	if l.poll {
		s.readKeyRevision(ctx)
		l = s.keys.get(hash)
	}
	if l.hit {
		if !l.expiresAt.IsZero() && !s.now().Before(l.expiresAt) {
			return nil, keyRefused(l.caller.KeyID, "expired", l.expiresAt)
		}
		if l.noteUse {
			s.keys.noteUse(l.caller.KeyID, s.now())
		}
		return &l.caller, nil
	}
	gen := s.keys.generation()
	k, err := s.store.GetAPIKeyByHash(ctx, hash)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, unauthenticated()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	switch k.Usable(now) {
	case "revoked":
		return nil, keyRefused(k.ID, "revoked", k.RevokedAt)
	case "expired":
		return nil, keyRefused(k.ID, "expired", k.ExpiresAt)
	}
	c := &Caller{KeyID: k.ID, Role: k.Role, AccountID: k.AccountID}
	s.keys.put(hash, c, k.ExpiresAt, gen)
	s.keys.noteUse(k.ID, now)
	return c, nil
}

// keyRefused is the answer to a key past its end.
func keyRefused(id, why string, at time.Time) error {
	return coffer.Errorf(coffer.EUnauthenticated, "API key %s %s at %s: send another key; an admin can create one with POST /v1/api_keys",
		id, why, at.UTC().Format(time.RFC3339))
}

// AuthenticateSubaccount resolves HTTP Basic credentials of a subaccount. A
// disabled or deleted subaccount authenticates but is refused, with a code
// that says so, because the gateway must tell its customer why.
func (s *Service) AuthenticateSubaccount(ctx context.Context, authID, token string) (*Caller, error) {
	sub, err := s.store.GetSubaccountByAuthID(ctx, authID)
	if coffer.ErrorCode(err) == coffer.ENotFound {
		return nil, unauthenticated()
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(sub.TokenHash, hashSecret(token)) != 1 {
		return nil, unauthenticated()
	}
	if err := usable(sub); err != nil {
		return nil, err
	}
	return &Caller{KeyID: sub.ID, Role: RoleSubaccount, AccountID: sub.AccountID, SubaccountID: sub.ID}, nil
}

// usable refuses a disabled or deleted subaccount.
func usable(sub *coffer.Subaccount) error {
	switch {
	case sub.Deleted:
		return coffer.Errorf(coffer.ESubaccountDisabled, "subaccount %s has been deleted", sub.ID)
	case !sub.Enabled:
		return coffer.Errorf(coffer.ESubaccountDisabled, "subaccount %s is disabled", sub.ID)
	}
	return nil
}

// newAuthPair returns a subaccount's auth id and token.
func newAuthPair() (authID, token string) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("service: crypto/rand failed: " + err.Error())
	}
	return "SA" + hex.EncodeToString(b[:]), newSecret()
}

// What a caller wants to do with an account, from least to most power.
type access int

const (
	readBalance   access = iota // balance reads: usage keys and subaccounts may
	useBalance                  // debits and holds
	readAccount                 // the account, its history, grants, subaccounts
	manageAccount               // profile edits, subaccount changes
	operate                     // grants, voids, floors, status: the operator's staff
)

// authorize decides whether the caller may act on the account. A caller
// bound to another account is told the account does not exist: an account
// key must not learn which ids are real.
func authorize(c *Caller, accountID string, want access) error {
	switch c.Role {
	case coffer.RoleAdmin:
		return nil
	case coffer.RoleUsage:
		if want <= useBalance {
			return nil
		}
		return coffer.Errorf(coffer.EForbidden, "a usage key may only debit, hold and read balances")
	case coffer.RoleAccount, RoleSubaccount:
		if c.AccountID != accountID {
			return coffer.Errorf(coffer.ENotFound, "account %s not found", accountID)
		}
		limit := manageAccount
		if c.Role == RoleSubaccount {
			limit = useBalance
		}
		if want > limit {
			return coffer.Errorf(coffer.EForbidden, "this credential may not do that; it needs an admin key")
		}
		return nil
	}
	return unauthenticated()
}

// authorizeID is authorize for an account id taken from the request's
// path: the id must be an account id before anything else is asked.
func authorizeID(c *Caller, accountID string, want access) error {
	if err := coffer.CheckID("id", coffer.PrefixAccount, accountID); err != nil {
		return err
	}
	return authorize(c, accountID, want)
}

// adminOnly refuses anyone but an admin key.
func adminOnly(c *Caller) error {
	if c.Role != coffer.RoleAdmin {
		return coffer.Errorf(coffer.EForbidden, "this needs an admin key")
	}
	return nil
}
