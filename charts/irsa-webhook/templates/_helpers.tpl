{{/* Chart name, overridable. */}}
{{- define "irsa-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: <release>-<chart>, or the release name when it already contains the chart name. */}}
{{- define "irsa-webhook.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "irsa-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "irsa-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "irsa-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "irsa-webhook.labels" -}}
helm.sh/chart: {{ include "irsa-webhook.chart" . }}
{{ include "irsa-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "irsa-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "irsa-webhook.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "irsa-webhook.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding tls.crt/tls.key (and ca.crt outside existingSecret mode). */}}
{{- define "irsa-webhook.tlsSecretName" -}}
{{- if eq .Values.tls.mode "existingSecret" -}}
{{- required "tls.existingSecret.name is required when tls.mode is existingSecret" .Values.tls.existingSecret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "irsa-webhook.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* DNS names the apiserver uses for the Service. */}}
{{- define "irsa-webhook.dnsNames" -}}
{{- $svc := include "irsa-webhook.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{/*
Self-signed mode: the CA, certificate and key, generated once and then reused
from the existing Secret (lookup), so the caBundle stays stable across upgrades.
Returns a dict {ca, crt, key} as JSON, memoised in .Values so the Secret and
the webhook configuration see the same values within one render.
*/}}
{{- define "irsa-webhook.selfSignedCerts" -}}
{{- if not (hasKey .Values "__irsaCerts") -}}
{{- $secretName := include "irsa-webhook.tlsSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName -}}
{{- $certs := dict -}}
{{- if and $existing $existing.data (index $existing.data "ca.crt") (index $existing.data "tls.crt") (index $existing.data "tls.key") -}}
{{- $_ := set $certs "ca" (index $existing.data "ca.crt") -}}
{{- $_ := set $certs "crt" (index $existing.data "tls.crt") -}}
{{- $_ := set $certs "key" (index $existing.data "tls.key") -}}
{{- else -}}
{{- $days := int .Values.tls.selfSigned.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "irsa-webhook.fullname" .)) $days -}}
{{- $svc := include "irsa-webhook.fullname" . -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc .Release.Namespace) nil (include "irsa-webhook.dnsNames" . | fromJsonArray) $days $ca -}}
{{- $_ := set $certs "ca" ($ca.Cert | b64enc) -}}
{{- $_ := set $certs "crt" ($cert.Cert | b64enc) -}}
{{- $_ := set $certs "key" ($cert.Key | b64enc) -}}
{{- end -}}
{{- $_ := set .Values "__irsaCerts" $certs -}}
{{- end -}}
{{- index .Values "__irsaCerts" | toJson -}}
{{- end -}}

{{/* Seconds from SIGTERM-bound deletion to kill: preStop sleep + drain + margin. */}}
{{- define "irsa-webhook.terminationGracePeriodSeconds" -}}
{{- $d := .Values.config.shutdownTimeout | toString -}}
{{- $secs := 0 -}}
{{- if regexMatch "^[0-9]+s$" $d -}}{{- $secs = trimSuffix "s" $d | int -}}
{{- else if regexMatch "^[0-9]+m$" $d -}}{{- $secs = mul (trimSuffix "m" $d | int) 60 -}}
{{- else -}}{{- fail "config.shutdownTimeout must be whole seconds (\"25s\") or minutes (\"1m\")" -}}
{{- end -}}
{{- add .Values.preStopSleepSeconds $secs 5 -}}
{{- end -}}
