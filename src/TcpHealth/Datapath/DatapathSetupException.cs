namespace TcpHealth.Datapath;

/// <summary>The datapath could not be set up: the message says what went wrong and what to do.</summary>
public sealed class DatapathSetupException(string message, Exception? inner = null) : Exception(message, inner);
