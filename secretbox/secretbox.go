// Package secretbox seals short secrets for keeping at rest: AES-256-GCM
// under a 32-byte key, with a fresh random nonce for every seal.
//
// A sealed value is text, so it fits the column the plaintext lived in:
//
//	enc:v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>
//
// The key id is the first four bytes, in hex, of an HMAC-SHA256 of a fixed
// label under the key: it names the key a value was sealed with, so that a
// Keyring holding the current key and earlier ones opens each value with
// the right one and tells which still need sealing again, without saying
// anything about the key itself. The "enc:v1:" prefix and the caller's
// context (what the secret belongs to) are authenticated as GCM's
// additional data, so a sealed value moved to another row does not open.
//
// The package does no I/O beyond reading nonces from crypto/rand.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the length of a key in bytes.
const KeySize = 32

// prefix starts every sealed value; the version is in it so that a later
// format can be told apart.
const prefix = "enc:v1:"

// Key is an AES-256 key.
type Key [KeySize]byte

// ParseKey reads a key written as 64 hex digits or as base64 (standard or
// URL alphabet, padded or not) of 32 bytes, as `openssl rand -hex 32` and
// `openssl rand -base64 32` print them. The two cannot be confused: 64
// base64 characters would be 48 bytes.
func ParseKey(s string) (Key, error) {
	var k Key
	s = strings.TrimSpace(s)
	if s == "" {
		return k, errors.New("the key is empty")
	}
	var b []byte
	if len(s) == 2*KeySize {
		var err error
		if b, err = hex.DecodeString(s); err != nil {
			return k, errors.New("64 characters long, so read as hex, but not hex digits")
		}
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(s); err == nil {
				b = d
				break
			}
		}
		if b == nil {
			return k, errors.New("neither 64 hex digits nor base64")
		}
	}
	if len(b) != KeySize {
		return k, fmt.Errorf("it decodes to %d bytes; a key is %d (openssl rand -base64 32)", len(b), KeySize)
	}
	copy(k[:], b)
	return k, nil
}

// ID names the key in the values it seals.
func (k Key) ID() string {
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte("coffer secretbox key id"))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// ErrUnknownKey is returned by Open for a value sealed with a key the
// keyring does not hold.
var ErrUnknownKey = errors.New("sealed with a key not given")

// ErrCorrupt is returned by Open for a value that is not a well-formed
// sealed value, or that does not authenticate under its key.
var ErrCorrupt = errors.New("not a valid sealed value")

// Keyring seals with its current key and opens with any of its keys.
type Keyring struct {
	current string // key id
	keys    map[string][]entry
}

type entry struct {
	key  Key
	aead cipher.AEAD
}

// NewKeyring returns a keyring sealing with current and also opening what
// the previous keys sealed. Two keys sharing an id (a one-in-four-billion
// chance) are both kept and tried in turn.
func NewKeyring(current Key, previous ...Key) *Keyring {
	r := &Keyring{current: current.ID(), keys: map[string][]entry{}}
	for _, k := range append([]Key{current}, previous...) {
		id := k.ID()
		if !slices.ContainsFunc(r.keys[id], func(e entry) bool { return e.key == k }) {
			r.keys[id] = append(r.keys[id], entry{key: k, aead: newAEAD(k)})
		}
	}
	return r
}

func newAEAD(k Key) cipher.AEAD {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic("secretbox: " + err.Error()) // only for a key of the wrong size, which Key cannot be
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		panic("secretbox: " + err.Error())
	}
	return a
}

// CurrentID is the id of the key Seal uses.
func (r *Keyring) CurrentID() string { return r.current }

// IsSealed reports whether s is a sealed value rather than plaintext.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// KeyID returns the id of the key a sealed value names, or "" when s is
// not sealed.
func KeyID(s string) string {
	if !IsSealed(s) {
		return ""
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(s, prefix), ":")
	return id
}

// Seal encrypts plaintext under the current key, bound to context: Open
// must be given the same context.
func (r *Keyring) Seal(plaintext, context string) string {
	a := r.keys[r.current][0].aead
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secretbox: crypto/rand failed: " + err.Error())
	}
	head := prefix + r.current + ":"
	out := a.Seal(nonce, nonce, []byte(plaintext), additional(head, context))
	return head + base64.StdEncoding.EncodeToString(out)
}

// Open decrypts a sealed value with whichever of the keyring's keys sealed
// it. It fails with ErrUnknownKey when none of them did, and with
// ErrCorrupt when the value was altered or belongs to another context.
func (r *Keyring) Open(sealed, context string) (string, error) {
	if !IsSealed(sealed) {
		return "", ErrCorrupt
	}
	id, body, ok := strings.Cut(strings.TrimPrefix(sealed, prefix), ":")
	if !ok || id == "" {
		return "", ErrCorrupt
	}
	entries := r.keys[id]
	if len(entries) == 0 {
		return "", fmt.Errorf("key id %s: %w", id, ErrUnknownKey)
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(raw) < entries[0].aead.NonceSize()+entries[0].aead.Overhead() {
		return "", ErrCorrupt
	}
	head := prefix + id + ":"
	for _, e := range entries {
		n := e.aead.NonceSize()
		if p, err := e.aead.Open(nil, raw[:n], raw[n:], additional(head, context)); err == nil {
			return string(p), nil
		}
	}
	return "", ErrCorrupt
}

// Stale reports whether a stored value should be sealed again: it is
// plaintext, or sealed with a key other than the current one.
func (r *Keyring) Stale(stored string) bool {
	return KeyID(stored) != r.current
}

// additional is GCM's additional data: the value's header and the
// caller's context, each length-prefixed so that no two pairs read alike.
func additional(head, context string) []byte {
	return fmt.Appendf(nil, "%d:%s%d:%s", len(head), head, len(context), context)
}
