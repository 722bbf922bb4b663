/// Namespace of the runtime library; filled in by the runtime.
public enum TaskTraceRuntimeNamespace {}
