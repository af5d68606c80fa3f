{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "ragtime.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped base name. A release called "ragtime" does not become "ragtime-ragtime". */}}
{{- define "ragtime.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ragtime.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ragtime.labels" -}}
helm.sh/chart: {{ include "ragtime.chart" . }}
app.kubernetes.io/name: {{ include "ragtime.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ragtime
ragtime.dev/environment: {{ .Values.environment }}
{{- end }}

{{- define "ragtime.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ragtime.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "ragtime.componentSelectorLabels" -}}
{{ include "ragtime.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "ragtime.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository $tag }}
{{- end -}}
{{- end }}

{{- define "ragtime.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ragtime.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ragtime.secretName" -}}
{{- required "secrets.existingSecret must name a Secret holding DATABASE_URL, REDIS_URL and LLM_API_KEY (no secret values live in this chart)" .Values.secrets.existingSecret }}
{{- end }}

{{- define "ragtime.modelServerName" -}}
{{- printf "%s-model-server" (include "ragtime.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The OpenAI-compatible base URL the workers call. */}}
{{- define "ragtime.llmBaseUrl" -}}
{{- if .Values.config.llmBaseUrl }}
{{- .Values.config.llmBaseUrl }}
{{- else if .Values.modelServer.enabled }}
{{- printf "http://%s:%d/v1" (include "ragtime.modelServerName" .) (int .Values.modelServer.port) }}
{{- else }}
{{- fail "config.llmBaseUrl is required when modelServer.enabled is false" }}
{{- end }}
{{- end }}

{{/* Security context of every Ragtime container. */}}
{{- define "ragtime.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end }}
