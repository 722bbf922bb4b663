/// Namespace of the export library (timeline model, renderers); filled in by the exporters.
public enum TaskTraceExport {}
