/** The labels Compose puts on every container it creates; how a project's containers are found. */
export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_WORKDIR = 'com.docker.compose.project.working_dir';
export const LABEL_VERSION = 'com.docker.compose.version';
