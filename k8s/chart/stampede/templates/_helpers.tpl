{{/* The chart's name, or nameOverride. */}}
{{- define "stampede.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object's name: the release's name when it already
contains the chart's, else <release>-<chart>. Kept short enough for the
suffixes below. */}}
{{- define "stampede.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "stampede.controllerName" -}}{{ include "stampede.fullname" . }}-controller{{- end }}
{{- define "stampede.workersName" -}}{{ include "stampede.fullname" . }}-worker{{- end }}
{{/* The ConfigMap the controller keeps its desired state in (it creates it). */}}
{{- define "stampede.stateConfigMap" -}}{{ include "stampede.fullname" . }}-state{{- end }}
{{- define "stampede.scenarioConfigMap" -}}
{{- default (printf "%s-scenario" (include "stampede.fullname" .)) .Values.scenario.existingConfigMap }}
{{- end }}
{{- define "stampede.tokenSecret" -}}
{{- default (printf "%s-api-token" (include "stampede.fullname" .)) .Values.apiToken.existingSecret }}
{{- end }}
{{- define "stampede.tokenKey" -}}
{{- if .Values.apiToken.existingSecret }}{{ .Values.apiToken.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}
{{- define "stampede.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "stampede.controllerName" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The workers' kind, checked: the scaler reads it as STAMPEDE_WORKERS_KIND. */}}
{{- define "stampede.workersKind" -}}
{{- if not (has .Values.workers.kind (list "Deployment" "DaemonSet")) }}
{{- fail (printf "workers.kind is %q: want Deployment or DaemonSet" .Values.workers.kind) }}
{{- end }}
{{- .Values.workers.kind }}
{{- end }}

{{- define "stampede.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "stampede.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stampede.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "stampede.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "stampede.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stampede
{{- end }}

{{/* Settings the controller and the workers share: the token, the
allowlist, the caps, the heartbeat and logging. */}}
{{- define "stampede.sharedEnv" -}}
- name: STAMPEDE_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "stampede.tokenSecret" . }}
      key: {{ include "stampede.tokenKey" . }}
- name: STAMPEDE_ALLOWED_TARGETS
  value: {{ .Values.allowedTargets | quote }}
- name: STAMPEDE_MAX_USERS
  value: {{ .Values.maxUsers | int64 | quote }}
- name: STAMPEDE_MAX_RATE
  value: {{ .Values.maxRate | toString | quote }}
- name: STAMPEDE_HEARTBEAT_INTERVAL
  value: {{ .Values.heartbeatInterval | quote }}
- name: STAMPEDE_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: STAMPEDE_LOG_FORMAT
  value: {{ .Values.logFormat | quote }}
{{- end }}

{{/* extraEnv renders a map of NAME: value as env entries, sorted by name. */}}
{{- define "stampede.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{- define "stampede.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}
