// Package vivawebhook verifies a Viva webhook (Standard Webhooks) with the Go standard library only.
package vivawebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

var ErrInvalidWebhook = errors.New("invalid webhook")

// Verify returns nil if the delivery is signed with secret ("whsec_...") and no older than tolerance.
// rawBody is the request body exactly as received.
func Verify(secret string, header http.Header, rawBody []byte, tolerance time.Duration) error {
	msgID := header.Get("webhook-id")
	timestamp := header.Get("webhook-timestamp")
	signatures := header.Get("webhook-signature")
	if msgID == "" || timestamp == "" || signatures == "" {
		return ErrInvalidWebhook
	}
	sentAt, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || math.Abs(float64(time.Now().Unix()-sentAt)) > tolerance.Seconds() {
		return ErrInvalidWebhook
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return ErrInvalidWebhook
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + timestamp + "."))
	mac.Write(rawBody)
	expected := []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	for _, entry := range strings.Split(signatures, " ") {
		version, signature, found := strings.Cut(entry, ",")
		if found && version == "v1" && hmac.Equal([]byte(signature), expected) {
			return nil
		}
	}
	return ErrInvalidWebhook
}
