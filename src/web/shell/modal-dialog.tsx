/**
 * A modal dialog on the browser's own `<dialog>`: focus moves into it and stays there, Escape
 * closes it, the page behind is inert.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function ModalDialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby="modal-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id="modal-title">{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
